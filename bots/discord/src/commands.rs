//! The slash commands: their definitions for registration, and each incoming interaction
//! read into a transport-neutral [`Request`].

use crate::render::{Button, Style};
use serenity::all::{
    ActionRowComponent, ButtonKind, ButtonStyle, CommandInteraction, CommandOptionType,
    CreateCommand, CreateCommandOption, Interaction, Message, MessageFlags, ResolvedValue,
};
use signpost::{Audience, Kind, Stage, Town};
use std::fmt;

/// `/ask question [audience] [town] [share]`.
pub const ASK: &str = "ask";
/// `/service name [town] [share]`.
pub const SERVICE: &str = "service";
/// `/topic name [share]`.
pub const TOPIC: &str = "topic";
/// `/journey stage [share]`.
pub const JOURNEY: &str = "journey";
/// `/crisis [share]`.
pub const CRISIS: &str = "crisis";
/// `/about`.
pub const ABOUT: &str = "about";

/// Longest question accepted by `/ask`.
pub const MAX_QUESTION: u16 = 1000;

/// Who a question is about, as offered on `/ask`.
pub fn audience_label(audience: Audience) -> &'static str {
    match audience {
        Audience::Victims => "A victim of crime",
        Audience::Witnesses => "A witness",
        Audience::Families => "A family member or friend",
        Audience::PeopleWithConvictions => "Someone arrested, charged or convicted",
        Audience::YoungPeople => "A young person",
        Audience::Practitioners => "A practitioner",
        Audience::Everyone => "Anyone",
    }
}

/// The optional `town` (autocompleted from the towns signpost knows): its offices first.
fn town_option() -> CreateCommandOption {
    CreateCommandOption::new(
        CommandOptionType::String,
        "town",
        "The person's town in Dumfries and Galloway: its offices come first",
    )
    .required(false)
    .max_length(100)
    .set_autocomplete(true)
}

fn share_option() -> CreateCommandOption {
    CreateCommandOption::new(
        CommandOptionType::Boolean,
        "share",
        "Post the answer in the channel for everyone (default: only you see it)",
    )
    .required(false)
}

/// Every command, as registered at start.
pub fn definitions() -> Vec<CreateCommand> {
    let mut audience = CreateCommandOption::new(
        CommandOptionType::String,
        "audience",
        "Who you are asking for: the help that fits them comes first",
    )
    .required(false);
    for a in Audience::ALL {
        audience = audience.add_string_choice(audience_label(*a), a.as_str());
    }
    let mut stage = CreateCommandOption::new(
        CommandOptionType::String,
        "stage",
        "The step of the justice process",
    )
    .required(true);
    for s in Stage::ALL {
        stage = stage.add_string_choice(s.label(), s.as_str());
    }
    let name = |what: &str| {
        CreateCommandOption::new(
            CommandOptionType::String,
            "name",
            format!("Start typing the {what}'s name and pick it from the list"),
        )
        .required(true)
        .max_length(100)
        .set_autocomplete(true)
    };
    vec![
        CreateCommand::new(ASK)
            .description("Ask in plain words: which services can help, and what happens next")
            .add_option(
                CreateCommandOption::new(
                    CommandOptionType::String,
                    "question",
                    "The situation or question, in your or the person's own words",
                )
                .required(true)
                .min_length(2)
                .max_length(MAX_QUESTION),
            )
            .add_option(audience)
            .add_option(town_option())
            .add_option(share_option()),
        CreateCommand::new(SERVICE)
            .description("One service in full: what it does and how to reach it")
            .add_option(name("service"))
            .add_option(town_option())
            .add_option(share_option()),
        CreateCommand::new(TOPIC)
            .description("One step or question of the justice process, explained")
            .add_option(name("topic"))
            .add_option(share_option()),
        CreateCommand::new(JOURNEY)
            .description("The topics and services for one step of the justice process")
            .add_option(stage)
            .add_option(share_option()),
        CreateCommand::new(CRISIS)
            .description("The emergency and 24-hour lines, at once")
            .add_option(share_option()),
        CreateCommand::new(ABOUT)
            .description("What this bot is, what it knows and when that was last checked"),
    ]
}

/// What an interaction asks for. Its `Debug` shows only the kind, never the text.
#[derive(Clone, PartialEq)]
pub enum Request {
    /// Discord checking the endpoint (HTTP mode only).
    Ping,
    /// `/ask`.
    Ask {
        /// The question, exactly as typed. Never logged.
        question: String,
        /// Who it is about.
        audience: Option<Audience>,
        /// The person's town, if given and known. Never logged.
        town: Option<Town>,
        /// Post publicly.
        share: bool,
    },
    /// `/service` or `/topic`.
    Lookup {
        /// Which of the two.
        kind: Kind,
        /// An id from autocomplete, or whatever was typed. Never logged.
        name: String,
        /// The person's town, if given and known (`/service`). Never logged.
        town: Option<Town>,
        /// Post publicly.
        share: bool,
    },
    /// `/journey`.
    Journey {
        /// The stage, `None` if the value was not one of the choices.
        stage: Option<Stage>,
        /// Post publicly.
        share: bool,
    },
    /// `/crisis`.
    Crisis {
        /// Post publicly.
        share: bool,
    },
    /// `/about`.
    About,
    /// Autocomplete for `/service` or `/topic`.
    Complete {
        /// Which list.
        kind: Kind,
        /// What has been typed so far. Never logged.
        typed: String,
    },
    /// Autocomplete for a `town` option.
    CompleteTown {
        /// What has been typed so far. Never logged.
        typed: String,
    },
    /// A button press.
    Press {
        /// The button's payload, as the core made it (or anything, from an old message).
        payload: String,
        /// Whether the button sits on a message only the presser sees.
        on_ephemeral: bool,
        /// What that message shows now: its text and buttons (the bot's own words, never a
        /// person's).
        message: Pressed,
    },
    /// Anything else (a modal, an unknown command).
    Unknown,
}

/// The text and buttons of the message a button was pressed on, for a press that changes
/// only part of it (a "Helpful" press takes the feedback pair away and says thank you).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pressed {
    /// The message's text.
    pub content: String,
    /// Its buttons, in order, rows flattened; link buttons left out.
    pub buttons: Vec<Button>,
}

impl Pressed {
    fn of(message: &Message) -> Pressed {
        let buttons = message
            .components
            .iter()
            .flat_map(|row| row.components.iter())
            .filter_map(|component| match component {
                ActionRowComponent::Button(button) => match &button.data {
                    ButtonKind::NonLink { custom_id, style } => Some(Button {
                        custom_id: custom_id.clone(),
                        label: button.label.clone().unwrap_or_default(),
                        style: match style {
                            ButtonStyle::Primary => Style::Primary,
                            ButtonStyle::Danger => Style::Danger,
                            _ => Style::Secondary,
                        },
                    }),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        Pressed {
            content: message.content.clone(),
            buttons,
        }
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl Request {
    /// The kind of request, safe to log.
    pub fn label(&self) -> &'static str {
        match self {
            Request::Ping => "ping",
            Request::Ask { .. } => ASK,
            Request::Lookup {
                kind: Kind::Service,
                ..
            } => SERVICE,
            Request::Lookup {
                kind: Kind::Topic, ..
            } => TOPIC,
            Request::Journey { .. } => JOURNEY,
            Request::Crisis { .. } => CRISIS,
            Request::About => ABOUT,
            Request::Complete {
                kind: Kind::Service,
                ..
            } => "autocomplete-service",
            Request::Complete {
                kind: Kind::Topic, ..
            } => "autocomplete-topic",
            Request::CompleteTown { .. } => "autocomplete-town",
            Request::Press { .. } => "button",
            Request::Unknown => "unknown",
        }
    }

    /// Whether the gateway mode acknowledges this first and edits the answer in after: true
    /// for `/ask`, which runs a search. Lookups, the journey, the crisis lines, buttons and
    /// autocomplete are map lookups that answer in microseconds.
    pub fn deferred(&self) -> bool {
        matches!(self, Request::Ask { .. })
    }

    /// Whether the answer is posted for everyone in the channel.
    pub fn shared(&self) -> bool {
        match self {
            Request::Ask { share, .. }
            | Request::Lookup { share, .. }
            | Request::Journey { share, .. }
            | Request::Crisis { share } => *share,
            _ => false,
        }
    }

    /// Reads an interaction.
    pub fn from_interaction(interaction: &Interaction) -> Request {
        match interaction {
            Interaction::Ping(_) => Request::Ping,
            Interaction::Command(command) => from_command(command),
            Interaction::Autocomplete(command) => from_autocomplete(command),
            Interaction::Component(component) => Request::Press {
                payload: component.data.custom_id.clone(),
                on_ephemeral: component
                    .message
                    .flags
                    .is_some_and(|f| f.contains(MessageFlags::EPHEMERAL)),
                message: Pressed::of(&component.message),
            },
            _ => Request::Unknown,
        }
    }
}

fn string_option<'a>(command: &'a CommandInteraction, name: &str) -> Option<&'a str> {
    command
        .data
        .options
        .iter()
        .find(|o| o.name == name)
        .and_then(|o| o.value.as_str())
}

fn from_command(command: &CommandInteraction) -> Request {
    let options = command.data.options();
    let mut share = false;
    for option in &options {
        if let ("share", ResolvedValue::Boolean(value)) = (option.name, &option.value) {
            share = *value;
        }
    }
    match command.data.name.as_str() {
        ASK => Request::Ask {
            question: string_option(command, "question")
                .unwrap_or_default()
                .to_string(),
            audience: string_option(command, "audience").and_then(Audience::parse),
            town: string_option(command, "town").and_then(Town::parse),
            share,
        },
        SERVICE | TOPIC => Request::Lookup {
            kind: if command.data.name == SERVICE {
                Kind::Service
            } else {
                Kind::Topic
            },
            name: string_option(command, "name")
                .unwrap_or_default()
                .to_string(),
            town: string_option(command, "town").and_then(Town::parse),
            share,
        },
        JOURNEY => Request::Journey {
            stage: string_option(command, "stage").and_then(Stage::parse),
            share,
        },
        CRISIS => Request::Crisis { share },
        ABOUT => Request::About,
        _ => Request::Unknown,
    }
}

fn from_autocomplete(command: &CommandInteraction) -> Request {
    if let Some(focused) = command.data.autocomplete()
        && focused.name == "town"
    {
        return Request::CompleteTown {
            typed: focused.value.to_string(),
        };
    }
    let kind = match command.data.name.as_str() {
        SERVICE => Kind::Service,
        TOPIC => Kind::Topic,
        _ => return Request::Unknown,
    };
    let typed = command
        .data
        .autocomplete()
        .map(|o| o.value.to_string())
        .unwrap_or_default();
    Request::Complete { kind, typed }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_fit_discord_rules() {
        let commands = serde_json::to_value(definitions()).unwrap();
        let commands = commands.as_array().unwrap();
        assert_eq!(commands.len(), 6);
        for command in commands {
            let name = command["name"].as_str().unwrap();
            assert!(name.len() <= 32 && name.chars().all(|c| c.is_ascii_lowercase()));
            let description = command["description"].as_str().unwrap();
            assert!(
                (1..=100).contains(&description.chars().count()),
                "{description}"
            );
            for option in command["options"].as_array().into_iter().flatten() {
                let d = option["description"].as_str().unwrap();
                assert!((1..=100).contains(&d.chars().count()), "{d}");
                let choices = option["choices"].as_array().map_or(0, Vec::len);
                assert!(choices <= 25);
                for choice in option["choices"].as_array().into_iter().flatten() {
                    assert!(choice["name"].as_str().unwrap().chars().count() <= 100);
                }
            }
        }
    }

    #[test]
    fn debug_never_shows_text() {
        let request = Request::Ask {
            question: "a private question".into(),
            audience: None,
            town: None,
            share: false,
        };
        assert_eq!(format!("{request:?}"), "ask");
    }
}
