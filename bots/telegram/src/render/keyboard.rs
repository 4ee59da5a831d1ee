//! The inline keyboard: one button per row, callback data from the core's payloads, and the
//! "Helpful" / "Not helpful" pair side by side on the last row.

use signpost::Action;
use signpost::reply::Suggestion;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardButtonKind, InlineKeyboardMarkup};

/// Telegram's limit on a button's callback data, in bytes.
pub const MAX_CALLBACK_DATA: usize = 64;

/// At most this many buttons under one message.
pub const MAX_BUTTONS: usize = 12;

/// The buttons: one per row (labels are long sentences), callback data from
/// [`signpost::Action::encode`]. Buttons whose data would not fit Telegram's 64 bytes are left
/// off rather than sent broken.
pub fn keyboard(suggestions: &[Suggestion]) -> Option<InlineKeyboardMarkup> {
    keyboard_with_feedback(suggestions, &[])
}

/// As [`keyboard`], with the feedback pair (the reply's [`signpost::Reply::feedback`]) side by
/// side on a last row of its own.
pub fn keyboard_with_feedback(
    suggestions: &[Suggestion],
    feedback: &[Suggestion],
) -> Option<InlineKeyboardMarkup> {
    let mut rows: Vec<Vec<InlineKeyboardButton>> = suggestions
        .iter()
        .filter_map(button)
        .take(MAX_BUTTONS)
        .map(|b| vec![b])
        .collect();
    let pair: Vec<InlineKeyboardButton> = feedback.iter().filter_map(button).collect();
    if !pair.is_empty() {
        rows.push(pair);
    }
    (!rows.is_empty()).then(|| InlineKeyboardMarkup::new(rows))
}

fn button(s: &Suggestion) -> Option<InlineKeyboardButton> {
    let data = s.action.encode();
    if data.len() > MAX_CALLBACK_DATA {
        tracing::warn!(event = "button_dropped", reason = "callback_data_too_long");
        return None;
    }
    let label = s.label.trim();
    let label = if label.is_empty() { "More" } else { label };
    Some(InlineKeyboardButton::callback(label.to_string(), data))
}

/// A message's keyboard without its feedback pair (after a press), `None` when nothing is
/// left.
pub fn without_feedback(markup: &InlineKeyboardMarkup) -> Option<InlineKeyboardMarkup> {
    let rows: Vec<Vec<InlineKeyboardButton>> = markup
        .inline_keyboard
        .iter()
        .map(|row| {
            row.iter()
                .filter(|b| {
                    !matches!(
                        &b.kind,
                        InlineKeyboardButtonKind::CallbackData(data)
                            if matches!(Action::decode(data), Some(Action::Feedback(_)))
                    )
                })
                .cloned()
                .collect::<Vec<_>>()
        })
        .filter(|row| !row.is_empty())
        .collect();
    (!rows.is_empty()).then(|| InlineKeyboardMarkup::new(rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use signpost::Action;

    #[test]
    fn buttons_carry_payloads_and_overlong_ones_are_left_off() {
        let suggestions = [
            Suggestion::crisis(),
            Suggestion {
                label: "Too long".into(),
                action: Action::Entry("x".repeat(80)),
            },
            Suggestion {
                label: "  ".into(),
                action: Action::Entry("other".into()),
            },
        ];
        let markup = keyboard(&suggestions).unwrap();
        let rows: Vec<(String, String)> = markup
            .inline_keyboard
            .iter()
            .map(|row| match &row[0].kind {
                teloxide::types::InlineKeyboardButtonKind::CallbackData(d) => {
                    (row[0].text.clone(), d.clone())
                }
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("Emergency lines".to_string(), "crisis".to_string()),
                ("More".to_string(), "e:other".to_string())
            ]
        );
        assert!(keyboard(&[]).is_none());
    }

    #[test]
    fn the_feedback_pair_shares_the_last_row_and_comes_off_alone() {
        let vote = |helpful| Suggestion {
            label: if helpful { "Helpful" } else { "Not helpful" }.into(),
            action: Action::Feedback(signpost::reply::Vote {
                helpful,
                rated: signpost::reply::Rated::Answer,
                entries: vec!["samaritans".into()],
            }),
        };
        let markup =
            keyboard_with_feedback(&[Suggestion::crisis()], &[vote(true), vote(false)]).unwrap();
        let shape: Vec<usize> = markup.inline_keyboard.iter().map(Vec::len).collect();
        assert_eq!(shape, [1, 2]);
        let left = without_feedback(&markup).unwrap();
        assert_eq!(
            left.inline_keyboard,
            [vec![markup.inline_keyboard[0][0].clone()]]
        );
        let only_pair = keyboard_with_feedback(&[], &[vote(true), vote(false)]).unwrap();
        assert!(without_feedback(&only_pair).is_none());
    }
}
