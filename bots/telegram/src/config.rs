//! Configuration: command-line flags, and secrets from the environment only.

use clap::Parser;
use signpost_bot_support::startup::{self, COMMON_ENVIRONMENT};
pub use signpost_bot_support::{ConfigError, KnowledgeArgs, Secret};
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use url::Url;

/// Environment variable holding the bot token from BotFather (required).
pub const TOKEN_VAR: &str = "TELOXIDE_TOKEN";
/// Environment variable with the Bot API address (optional).
pub const API_URL_VAR: &str = "TELOXIDE_API_URL";
/// Environment variable with the webhook secret token (required in webhook mode).
pub const SECRET_VAR: &str = "TELEGRAM_WEBHOOK_SECRET";
/// Environment variable turning Telegram send throttling off when `0` (tests, benchmarks).
pub const THROTTLE_VAR: &str = "SIGNPOST_TELEGRAM_THROTTLE";

const ENVIRONMENT_HELP: &str = "\
Environment:
  TELOXIDE_TOKEN            the bot token from @BotFather (required; never logged)
  TELOXIDE_API_URL          Bot API address (default https://api.telegram.org)
  TELEGRAM_WEBHOOK_SECRET   secret token for webhook mode, 1-256 of A-Z a-z 0-9 _ -
  SIGNPOST_TELEGRAM_THROTTLE  0 turns off the send-rate throttle (tests and benchmarks)
";

const EXAMPLES_HELP: &str = "
Examples:
  TELOXIDE_TOKEN=123456:ABC... signpost-telegram
  TELEGRAM_WEBHOOK_SECRET=... signpost-telegram \\
      --webhook-url https://bot.example.org/telegram --listen 0.0.0.0:8080";

/// signpost on Telegram: answers people affected by the justice system in Dumfries and
/// Galloway with the local and national services that can help.
#[derive(Debug, Parser)]
#[command(name = "signpost-telegram", version, after_help = const_format_help())]
pub struct Cli {
    /// The knowledge folder.
    #[command(flatten)]
    pub knowledge: KnowledgeArgs,

    /// Receive updates by webhook at this public HTTPS address instead of long polling
    /// (for deployments with more than one replica). Needs TELEGRAM_WEBHOOK_SECRET.
    #[arg(long, value_name = "URL")]
    pub webhook_url: Option<Url>,

    /// Address the webhook server listens on.
    #[arg(
        long,
        value_name = "ADDR",
        default_value = "0.0.0.0:8080",
        requires = "webhook_url"
    )]
    pub listen: SocketAddr,

    /// Turn off the Telegram send-rate throttle (same as SIGNPOST_TELEGRAM_THROTTLE=0).
    #[arg(long)]
    pub no_throttle: bool,
}

fn const_format_help() -> String {
    format!("{ENVIRONMENT_HELP}{COMMON_ENVIRONMENT}\n{EXAMPLES_HELP}")
}

/// How updates arrive.
#[derive(Clone, PartialEq, Eq)]
pub enum Listen {
    /// Long polling with `getUpdates` (the default; one replica only).
    Polling,
    /// Telegram posts updates to our HTTP server.
    Webhook(WebhookConfig),
}

impl fmt::Debug for Listen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Listen::Polling => f.write_str("Polling"),
            Listen::Webhook(w) => f.debug_tuple("Webhook").field(w).finish(),
        }
    }
}

/// Webhook mode settings.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookConfig {
    /// The public address Telegram posts to; its path is the path we serve.
    pub url: Url,
    /// Where our HTTP server listens (port 0 picks a free port).
    pub listen: SocketAddr,
    /// Checked against the `X-Telegram-Bot-Api-Secret-Token` header of every request.
    pub secret: Secret,
}

impl fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("url", &self.url.as_str())
            .field("listen", &self.listen)
            .field("secret", &self.secret)
            .finish()
    }
}

/// Everything the binary needs, read and checked.
#[derive(Debug, Clone)]
pub struct Config {
    /// The bot token. Never printed.
    pub token: Secret,
    /// Bot API address, if not Telegram's.
    pub api_url: Option<Url>,
    /// The knowledge folder.
    pub knowledge: PathBuf,
    /// Reload the folder when it changes.
    pub watch: bool,
    /// Throttle sends to Telegram's limits.
    pub throttle: bool,
    /// Polling or webhook.
    pub listen: Listen,
    /// The private list of unanswered questions, if one is kept.
    pub gaps: Option<PathBuf>,
}

impl Config {
    /// The secrets to keep out of every log line.
    pub fn secrets(&self) -> Vec<Secret> {
        let mut secrets = vec![self.token.clone()];
        if let Listen::Webhook(webhook) = &self.listen {
            secrets.push(webhook.secret.clone());
        }
        secrets
    }
}

impl Config {
    /// Combines the flags with the environment (`env` looks a variable up).
    pub fn from_cli(cli: Cli, env: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let token = startup::var(&env, TOKEN_VAR).unwrap_or_default();
        if token.is_empty() {
            return Err(ConfigError::new(format!(
                "{TOKEN_VAR} is not set. Create a bot with @BotFather on Telegram, then run:\n  \
                 {TOKEN_VAR}=<the token BotFather gave you> signpost-telegram"
            )));
        }
        if !looks_like_token(&token) {
            // Say what is wrong without echoing the value.
            return Err(ConfigError::new(format!(
                "{TOKEN_VAR} does not look like a bot token (expected digits, a colon, then \
                 letters, digits, '_' or '-', as BotFather gives it)"
            )));
        }
        let api_url = match env(API_URL_VAR)
            .map(|u| u.trim().to_string())
            .filter(|u| !u.is_empty())
        {
            None => None,
            Some(u) => Some(
                Url::parse(&u)
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https") && !u.cannot_be_a_base())
                    .ok_or_else(|| {
                        ConfigError::new(format!("{API_URL_VAR} is not an http(s) address: {u}"))
                    })?,
            ),
        };
        let throttle_off = env(THROTTLE_VAR)
            .map(|v| {
                matches!(
                    v.trim().to_ascii_lowercase().as_str(),
                    "0" | "false" | "off" | "no"
                )
            })
            .unwrap_or(false);
        let listen = match cli.webhook_url {
            None => Listen::Polling,
            Some(url) => {
                if !matches!(url.scheme(), "http" | "https") {
                    return Err(ConfigError::new(format!(
                        "--webhook-url must be an https address, got {}",
                        url.scheme()
                    )));
                }
                let secret = startup::var(&env, SECRET_VAR).unwrap_or_default();
                if secret.is_empty() {
                    return Err(ConfigError::new(format!(
                        "webhook mode needs {SECRET_VAR}: the same random secret (1-256 of A-Z, \
                         a-z, 0-9, '_' and '-') on every replica"
                    )));
                }
                if !valid_secret(&secret) {
                    return Err(ConfigError::new(format!(
                        "{SECRET_VAR} must be 1-256 characters of A-Z, a-z, 0-9, '_' and '-'"
                    )));
                }
                Listen::Webhook(WebhookConfig {
                    url,
                    listen: cli.listen,
                    secret: Secret::new(secret),
                })
            }
        };
        Ok(Config {
            token: Secret::new(token),
            api_url,
            knowledge: cli.knowledge.knowledge,
            watch: !cli.knowledge.no_watch,
            gaps: startup::gaps_file(&env),
            throttle: !(cli.no_throttle || throttle_off),
            listen,
        })
    }
}

/// `123456:ABC-def_...`: what BotFather hands out.
pub fn looks_like_token(token: &str) -> bool {
    match token.split_once(':') {
        Some((id, secret)) => {
            !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_digit())
                && !secret.is_empty()
                && secret
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        }
        None => false,
    }
}

/// Telegram's rule for `secret_token`: 1 to 256 of `A-Z a-z 0-9 _ -`.
pub fn valid_secret(secret: &str) -> bool {
    (1..=256).contains(&secret.len())
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(args: &[&str], vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut argv = vec!["signpost-telegram"];
        argv.extend_from_slice(args);
        let cli = Cli::try_parse_from(argv).expect("flags parse");
        Config::from_cli(cli, |k| vars.get(k).cloned())
    }

    #[test]
    fn the_token_is_required_and_never_echoed() {
        let err = config(&[], &[]).unwrap_err();
        assert!(err.0.contains("TELOXIDE_TOKEN is not set"), "{err}");
        let err = config(&[], &[(TOKEN_VAR, "not a token secretvalue")]).unwrap_err();
        assert!(!err.0.contains("secretvalue"));
    }

    #[test]
    fn defaults_are_polling_watching_throttled() {
        let c = config(&[], &[(TOKEN_VAR, "123:ABC_def-9")]).unwrap();
        assert_eq!(c.listen, Listen::Polling);
        assert!(c.watch && c.throttle);
        assert_eq!(c.api_url, None);
        assert!(!format!("{c:?}").contains("ABC_def"));
    }

    #[test]
    fn flags_and_environment() {
        let c = config(
            &["--no-watch", "--knowledge", "/srv/k"],
            &[
                (TOKEN_VAR, "123:ABC"),
                (THROTTLE_VAR, "0"),
                (API_URL_VAR, "http://127.0.0.1:8081/"),
            ],
        )
        .unwrap();
        assert!(!c.watch && !c.throttle);
        assert_eq!(c.knowledge, PathBuf::from("/srv/k"));
        assert_eq!(c.api_url.unwrap().as_str(), "http://127.0.0.1:8081/");
        assert!(config(&[], &[(TOKEN_VAR, "123:ABC"), (API_URL_VAR, "nonsense")]).is_err());
    }

    #[test]
    fn webhook_mode_needs_a_valid_secret() {
        let args = [
            "--webhook-url",
            "https://bot.example.org/tg",
            "--listen",
            "127.0.0.1:9000",
        ];
        let err = config(&args, &[(TOKEN_VAR, "123:ABC")]).unwrap_err();
        assert!(err.0.contains(SECRET_VAR));
        assert!(
            config(
                &args,
                &[(TOKEN_VAR, "123:ABC"), (SECRET_VAR, "bad secret!")]
            )
            .is_err()
        );
        let c = config(&args, &[(TOKEN_VAR, "123:ABC"), (SECRET_VAR, "s3cret_-ok")]).unwrap();
        match c.listen {
            Listen::Webhook(w) => {
                assert_eq!(w.url.path(), "/tg");
                assert_eq!(w.listen, "127.0.0.1:9000".parse().unwrap());
                assert_eq!(w.secret.expose(), "s3cret_-ok");
                assert!(!format!("{w:?}").contains("s3cret"));
            }
            other => panic!("{other:?}"),
        }
    }
}
