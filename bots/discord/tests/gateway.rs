//! End to end: the real serenity client against a fake Discord (REST and gateway) on
//! 127.0.0.1, with interactions dispatched over the gateway and the answers read from the
//! requests the bot makes.

mod common;

use common::*;
use serde_json::{Value, json};
use signpost::Stage;
use signpost::knowledge::Kind;
use signpost_bot_support::test_kit::copy_dir;

fn is_ephemeral(data: &Value) -> bool {
    data["flags"].as_u64().is_some_and(|f| f & 64 != 0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registers_commands_in_the_guild_with_the_token() {
    let fake = FakeDiscord::start().await;
    let bot = Bot::start(&fake, knowledge(), None).await;
    let put = fake.wait_for("registration", |r| r.method == "PUT").await;
    assert_eq!(
        put.path,
        format!("/api/v10/applications/{APP_ID}/guilds/{GUILD_ID}/commands")
    );
    assert_eq!(
        put.authorization.as_deref(),
        Some(format!("Bot {TOKEN}").as_str())
    );
    let names: Vec<&str> = put
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["ask", "service", "topic", "journey", "crisis", "about"]
    );
    // The gateway got an IDENTIFY with the token and no intents.
    let identify = &fake.identifies()[0];
    assert_eq!(identify["token"], format!("Bot {TOKEN}"));
    assert_eq!(identify["intents"], 0);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ask_about_a_family_member_in_prison_names_families_outside_privately() {
    let fake = FakeDiscord::start().await;
    let bot = Bot::start(&fake, knowledge(), None).await;
    fake.interact(ask(
        1001,
        "my partner has just gone to prison, how can I support the kids",
        None,
    ));
    let deferred = fake.callback(1001).await;
    assert_eq!(deferred["type"], 5, "/ask is deferred first");
    assert!(
        is_ephemeral(&deferred["data"]),
        "private by default: {deferred}"
    );
    let answer = fake.edit(1001).await;
    let titles = embed_titles(&answer);
    assert!(titles.iter().any(|t| t == "Families Outside"), "{titles:?}");
    assert!(all_text(&answer).contains("0800 254 0088"));
    assert!(custom_ids(&answer).contains(&"e:families-outside".to_string()));
    assert_eq!(answer["allowed_mentions"]["parse"], json!([]));
    fake.assert_all_within_limits();
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ask_about_suicide_puts_the_crisis_lines_first() {
    let fake = FakeDiscord::start().await;
    let bot = Bot::start(&fake, knowledge(), None).await;
    fake.interact(ask(1002, "I want to kill myself, I can't go on", None));
    let answer = fake.edit(1002).await;
    let first = &answer["embeds"][0];
    let first_text = all_text(first);
    for line in ["999", "116 123", "85258"] {
        assert!(first_text.contains(line), "{line} in {first}");
    }
    // Each line once, and the reply stays on the crisis: no card about anything else.
    assert_eq!(all_text(&answer).matches("116 123").count(), 1, "{answer}");
    assert_eq!(answer["embeds"].as_array().unwrap().len(), 1, "{answer}");
    // Nothing else comes before it.
    assert!(answer["content"].as_str().is_none_or(|c| c.is_empty()));
    let ids = custom_ids(&answer);
    assert_eq!(ids[0], "crisis");
    // Samaritans' other ways in (email, letters) are one press away.
    assert!(ids.contains(&"e:samaritans".to_string()), "{ids:?}");
    fake.assert_all_within_limits();
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_autocomplete_offers_families_outside() {
    let fake = FakeDiscord::start().await;
    let bot = Bot::start(&fake, knowledge(), None).await;
    fake.interact(autocomplete(1003, "service", "fam"));
    let response = fake.callback(1003).await;
    assert_eq!(response["type"], 8);
    let choices = response["data"]["choices"].as_array().unwrap();
    assert_eq!(
        choices[0],
        json!({"name": "Families Outside", "value": "families-outside"})
    );
    // Only services, for /service.
    let kb = knowledge().current();
    for choice in choices {
        let id = choice["value"].as_str().unwrap();
        assert_eq!(kb.knowledge().get(id).unwrap().kind, Kind::Service);
    }
    // And topics for /topic.
    fake.interact(autocomplete(1004, "topic", "bail"));
    let response = fake.callback(1004).await;
    assert_eq!(response["data"]["choices"][0]["value"], "bail");
    fake.assert_all_within_limits();
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journey_release_lists_release_topics_and_services() {
    let fake = FakeDiscord::start().await;
    let bot = Bot::start(&fake, knowledge(), None).await;
    fake.interact(command(
        1005,
        "journey",
        json!([{"name": "stage", "type": 3, "value": "release"}]),
    ));
    let response = fake.callback(1005).await;
    assert_eq!(response["type"], 4);
    assert!(is_ephemeral(&response["data"]));
    let titles = embed_titles(&response["data"]);
    let assistant = knowledge().current();
    let kb = assistant.knowledge();
    let release: Vec<_> = titles
        .iter()
        .map(|t| kb.entries.iter().find(|e| &e.title == t).expect("an entry"))
        .collect();
    assert!(!release.is_empty());
    assert!(release.iter().all(|e| e.stages.contains(&Stage::Release)));
    assert!(release.iter().any(|e| e.kind == Kind::Topic), "{titles:?}");
    assert!(
        release.iter().any(|e| e.kind == Kind::Service),
        "{titles:?}"
    );
    assert!(
        titles.iter().any(|t| t == "Release from prison"),
        "{titles:?}"
    );
    assert!(
        response["data"]["content"]
            .as_str()
            .unwrap()
            .contains("Release from prison")
    );
    fake.assert_all_within_limits();
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_question_cannot_ping_everyone() {
    let fake = FakeDiscord::start().await;
    let bot = Bot::start(&fake, knowledge(), None).await;
    fake.interact(ask(1006, "@everyone what is bail", Some(true)));
    let deferred = fake.callback(1006).await;
    assert!(!is_ephemeral(&deferred["data"]), "share posts publicly");
    assert_eq!(deferred["data"]["allowed_mentions"]["parse"], json!([]));
    let answer = fake.edit(1006).await;
    assert_eq!(answer["allowed_mentions"]["parse"], json!([]));
    assert_eq!(answer["allowed_mentions"]["roles"], json!([]));
    assert_eq!(answer["allowed_mentions"]["users"], json!([]));
    assert!(!all_text(&answer).contains("@everyone"));
    // The answer leads with what bail means, with the entry one press away.
    let content = answer["content"].as_str().unwrap();
    assert!(content.starts_with("Bail means"), "{content}");
    assert!(custom_ids(&answer).contains(&"e:bail".to_string()));
    fake.assert_all_within_limits();
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_topic_crisis_and_about_answer_at_once() {
    let fake = FakeDiscord::start().await;
    let bot = Bot::start(&fake, knowledge(), None).await;

    fake.interact(command(
        1010,
        "service",
        json!([{"name": "name", "type": 3, "value": "families-outside"},
               {"name": "share", "type": 5, "value": true}]),
    ));
    let service = fake.callback(1010).await;
    assert_eq!(service["type"], 4);
    assert!(!is_ephemeral(&service["data"]));
    let card = &service["data"]["embeds"][0];
    assert_eq!(card["title"], "Families Outside");
    assert_eq!(card["url"], "https://www.familiesoutside.org.uk/");
    let text = card["description"].as_str().unwrap();
    assert!(
        text.contains("Call **0800 254 0088** · Freephone helpline (Monday to Friday, 9am to 5pm)"),
        "{text}"
    );
    assert!(
        card["description"].as_str().unwrap().len() > 200,
        "the full text"
    );

    // A name typed without picking from the list still finds the entry.
    fake.interact(command(
        1011,
        "topic",
        json!([{"name": "name", "type": 3, "value": "home detention curfew"}]),
    ));
    let topic = fake.callback(1011).await;
    assert_eq!(
        topic["data"]["embeds"][0]["title"],
        "Home Detention Curfew (the tag)"
    );

    fake.interact(command(1012, "crisis", json!([])));
    let crisis = fake.callback(1012).await;
    assert_eq!(crisis["type"], 4);
    let first = &crisis["data"]["embeds"][0];
    assert!(all_text(first).contains("999"));
    assert!(all_text(first).contains("116 123"));

    fake.interact(command(1013, "about", json!([])));
    let about = fake.callback(1013).await;
    let entries = knowledge().current().knowledge().entries.len();
    assert!(all_text(&about["data"]).contains(&format!("{entries} (")));
    assert!(all_text(&about["data"]).contains("Knowledge last reviewed"));
    assert!(is_ephemeral(&about["data"]));

    fake.assert_all_within_limits();
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buttons_move_a_private_answer_on_and_keep_shared_ones_unchanged() {
    let fake = FakeDiscord::start().await;
    let bot = Bot::start(&fake, knowledge(), None).await;
    fake.interact(press(1020, "e:families-outside", true));
    let update = fake.callback(1020).await;
    assert_eq!(update["type"], 7, "update the private message in place");
    assert!(
        update["data"].get("flags").is_none(),
        "an update keeps the flags"
    );
    assert_eq!(update["data"]["embeds"][0]["title"], "Families Outside");

    fake.interact(press(1021, "j:release", false));
    let reply = fake.callback(1021).await;
    assert_eq!(
        reply["type"], 4,
        "a new message, not an edit of the shared one"
    );
    assert!(is_ephemeral(&reply["data"]));

    fake.interact(press(1022, "nonsense-payload", true));
    let stale = fake.callback(1022).await;
    assert_eq!(stale["type"], 7);
    assert!(all_text(&stale["data"]).contains("older answer"));
    fake.assert_all_within_limits();
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_response_is_logged_and_the_bot_carries_on() {
    let fake = FakeDiscord::start().await;
    let bot = Bot::start(&fake, knowledge(), None).await;
    fake.fail("/api/v10/interactions/1030/token-1030/callback".into());
    fake.interact(command(1030, "crisis", json!([])));
    fake.callback(1030).await;
    fake.fail(format!(
        "/api/v10/webhooks/{APP_ID}/token-1031/messages/@original"
    ));
    fake.interact(ask(1031, "what is bail", None));
    fake.edit(1031).await;
    fake.interact(command(1032, "crisis", json!([])));
    assert_eq!(fake.callback(1032).await["type"], 4);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnects_and_resumes_after_the_gateway_drops() {
    let fake = FakeDiscord::start().await;
    let bot = Bot::start(&fake, knowledge(), None).await;
    fake.interact(command(1040, "crisis", json!([])));
    fake.callback(1040).await;
    fake.drop_connection(4000);
    fake.wait_for_resume().await;
    assert!(fake.connections() >= 2);
    fake.interact(command(1041, "crisis", json!([])));
    assert_eq!(fake.callback(1041).await["type"], 4);
    // Registered once, not again on the reconnect.
    let puts = fake.requests().iter().filter(|r| r.method == "PUT").count();
    assert_eq!(puts, 1);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_stops_the_bot_with_an_error() {
    let fake = FakeDiscord::start().await;
    fake.refuse_token();
    let bot = Bot::spawn(gateway_config(&fake, None), knowledge());
    let result = bot.finished().await;
    let message = format!("{:#}", result.expect_err("authentication fails"));
    assert!(message.contains("uthentication"), "{message}");
    assert!(!message.contains(TOKEN));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_results_go_to_the_admin_channel() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&knowledge_dir(), dir.path());
    let (live, _) = signpost::LiveKnowledge::load(dir.path()).unwrap();
    let fake = FakeDiscord::start().await;
    let bot = Bot::start(&fake, live.clone(), Some(888)).await;
    let posts = |fake: &FakeDiscord| {
        fake.requests()
            .into_iter()
            .filter(|r| r.method == "POST" && r.path == "/api/v10/channels/888/messages")
            .collect::<Vec<_>>()
    };

    // A broken file: refused, with path:line:column.
    let broken = dir.path().join("services").join("broken-entry.md");
    std::fs::write(&broken, "+++\ntitle = \"Broken\"\nsummary = 5\n+++\nbody\n").unwrap();
    let reload = live.clone();
    tokio::task::spawn_blocking(move || reload.reload_now())
        .await
        .unwrap();
    fake.wait_for("refusal post", |r| {
        r.path == "/api/v10/channels/888/messages"
    })
    .await;
    let refusal = posts(&fake)[0].body["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(refusal.contains("refused"), "{refusal}");
    assert!(refusal.contains("services/broken-entry.md:"), "{refusal}");
    let position = refusal
        .lines()
        .find(|l| l.starts_with("services/broken-entry.md:"))
        .unwrap();
    let parts: Vec<&str> = position.splitn(4, ':').collect();
    assert!(
        parts[1].parse::<u32>().is_ok() && parts[2].parse::<u32>().is_ok(),
        "{position}"
    );

    // Fixed: loaded, with the count.
    std::fs::remove_file(&broken).unwrap();
    let reload = live.clone();
    tokio::task::spawn_blocking(move || reload.reload_now())
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + WAIT;
    while posts(&fake).len() < 2 {
        assert!(tokio::time::Instant::now() < deadline, "no second post");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let loaded = posts(&fake)[1].body["content"]
        .as_str()
        .unwrap()
        .to_string();
    let entries = live.current().knowledge().entries.len();
    assert!(
        loaded.contains(&format!("{entries} entries are live")),
        "{loaded}"
    );
    fake.assert_all_within_limits();
    bot.stop().await;
}
