//! Configuration: a few flags, and the rest (secrets included) from the environment.

use clap::Parser;
use signpost_bot_support::startup::{self, COMMON_ENVIRONMENT};
pub use signpost_bot_support::{ConfigError, KnowledgeArgs, Secret};
use std::net::SocketAddr;
use std::path::PathBuf;

const ENVIRONMENT: &str = "\
Environment:
  DISCORD_TOKEN             the bot token (required for the gateway mode; optional with
                            --interactions-endpoint, where it registers the commands and
                            posts reload results). Never logged.
  DISCORD_PUBLIC_KEY        the application's public key (hex), required with
                            --interactions-endpoint
  DISCORD_GUILD_ID          register the commands in this server only, at once (otherwise
                            globally, which Discord may take a while to show)
  DISCORD_ADMIN_CHANNEL_ID  post each knowledge reload result to this channel
  DISCORD_API_URL           send REST calls to this address instead of https://discord.com
                            (an HTTP proxy, or a fake in tests); the gateway address then
                            comes from its /api/v10/gateway
";

fn environment_help() -> String {
    format!("{ENVIRONMENT}{COMMON_ENVIRONMENT}")
}

/// Command-line flags.
#[derive(Debug, Parser)]
#[command(
    name = "signpost-discord",
    version,
    about = "signpost on Discord: slash commands that signpost practitioners to services and \
             explain the Scottish justice process, from the knowledge folder.",
    after_help = environment_help()
)]
pub struct Args {
    /// The knowledge folder.
    #[command(flatten)]
    pub knowledge: KnowledgeArgs,

    /// Serve Discord's HTTP interactions at this address (e.g. 0.0.0.0:8080) instead of
    /// connecting to the gateway. Needs DISCORD_PUBLIC_KEY.
    #[arg(long, value_name = "ADDR")]
    pub interactions_endpoint: Option<SocketAddr>,
}

/// How the bot meets Discord.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// A gateway connection (websocket), with interactions answered over REST.
    Gateway,
    /// An HTTP server that Discord posts interactions to.
    Endpoint {
        /// Where to listen.
        addr: SocketAddr,
        /// The application's Ed25519 public key, 32 bytes.
        public_key: [u8; 32],
    },
}

/// Everything the bot needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// Gateway or endpoint.
    pub mode: Mode,
    /// The bot token, if given.
    pub token: Option<Secret>,
    /// Register commands in this guild instead of globally.
    pub guild_id: Option<u64>,
    /// REST address override.
    pub api_url: Option<String>,
    /// Channel for knowledge reload results.
    pub admin_channel_id: Option<u64>,
    /// The knowledge folder.
    pub knowledge: PathBuf,
    /// Watch the folder and reload on changes.
    pub watch: bool,
    /// The private list of unanswered questions, if one is kept.
    pub gaps: Option<PathBuf>,
}

impl Config {
    /// The secrets to keep out of every log line.
    pub fn secrets(&self) -> Vec<Secret> {
        self.token.iter().cloned().collect()
    }
}

fn id(env: &impl Fn(&str) -> Option<String>, name: &str) -> Result<Option<u64>, ConfigError> {
    match env(name)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
    {
        None => Ok(None),
        Some(value) => match value.parse::<u64>() {
            Ok(n) if n > 0 => Ok(Some(n)),
            _ => Err(ConfigError::new(format!(
                "{name} must be a Discord id (a number; right-click the server or channel with \
                 Developer Mode on and choose Copy ID)"
            ))),
        },
    }
}

fn hex32(text: &str) -> Option<[u8; 32]> {
    let text = text.trim();
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

impl Config {
    /// Reads the configuration from the flags and an environment lookup (`std::env::var` in
    /// the binary; a map in tests).
    pub fn from_env(
        args: &Args,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let token = startup::secret(&env, "DISCORD_TOKEN");
        let mode = match args.interactions_endpoint {
            None => Mode::Gateway,
            Some(addr) => {
                let key = env("DISCORD_PUBLIC_KEY").unwrap_or_default();
                if key.trim().is_empty() {
                    return Err(ConfigError::new(
                        "DISCORD_PUBLIC_KEY is not set. --interactions-endpoint needs the \
                         application's public key: Discord Developer Portal > your application \
                         > General Information > Public Key.",
                    ));
                }
                let public_key = hex32(&key).ok_or_else(|| {
                    ConfigError::new("DISCORD_PUBLIC_KEY must be 64 hexadecimal digits.")
                })?;
                Mode::Endpoint { addr, public_key }
            }
        };
        if mode == Mode::Gateway && token.is_none() {
            return Err(ConfigError::new(
                "DISCORD_TOKEN is not set. Create a bot in the Discord Developer Portal \
                 (https://discord.com/developers/applications > your application > Bot > Reset \
                 Token), then run: DISCORD_TOKEN=... signpost-discord",
            ));
        }
        let api_url = match env("DISCORD_API_URL")
            .map(|u| u.trim().trim_end_matches('/').to_string())
            .filter(|u| !u.is_empty())
        {
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => Some(url),
            Some(_) => {
                return Err(ConfigError::new(
                    "DISCORD_API_URL must start with http:// or https://, e.g. http://127.0.0.1:3000",
                ));
            }
            None => None,
        };
        Ok(Config {
            mode,
            token,
            guild_id: id(&env, "DISCORD_GUILD_ID")?,
            api_url,
            admin_channel_id: id(&env, "DISCORD_ADMIN_CHANNEL_ID")?,
            knowledge: args.knowledge.knowledge.clone(),
            watch: !args.knowledge.no_watch,
            gaps: startup::gaps_file(&env),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(args: &[&str], vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let args =
            Args::try_parse_from(std::iter::once("signpost-discord").chain(args.iter().copied()))
                .unwrap();
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_env(&args, |k| vars.get(k).cloned())
    }

    #[test]
    fn token_is_required_for_the_gateway() {
        let err = config(&[], &[]).unwrap_err();
        assert!(err.0.contains("DISCORD_TOKEN is not set"));
    }

    #[test]
    fn reads_everything() {
        let c = config(
            &["--no-watch", "--knowledge", "/k"],
            &[
                ("DISCORD_TOKEN", " abc.def "),
                ("DISCORD_GUILD_ID", "123"),
                ("DISCORD_ADMIN_CHANNEL_ID", "456"),
                ("DISCORD_API_URL", "http://127.0.0.1:9/"),
                ("SIGNPOST_GAPS_FILE", "/var/gaps.txt"),
            ],
        )
        .unwrap();
        assert_eq!(c.token.as_ref().unwrap().expose(), "abc.def");
        assert_eq!(c.guild_id, Some(123));
        assert_eq!(c.admin_channel_id, Some(456));
        assert_eq!(c.api_url.as_deref(), Some("http://127.0.0.1:9"));
        assert_eq!(c.knowledge, PathBuf::from("/k"));
        assert_eq!(c.gaps, Some(PathBuf::from("/var/gaps.txt")));
        assert!(!c.watch);
        assert!(!format!("{c:?}").contains("abc.def"));
    }

    #[test]
    fn endpoint_needs_a_valid_public_key() {
        let err = config(&["--interactions-endpoint", "127.0.0.1:0"], &[]).unwrap_err();
        assert!(err.0.contains("DISCORD_PUBLIC_KEY"));
        let err = config(
            &["--interactions-endpoint", "127.0.0.1:0"],
            &[("DISCORD_PUBLIC_KEY", "zz")],
        )
        .unwrap_err();
        assert!(err.0.contains("64"));
        let c = config(
            &["--interactions-endpoint", "127.0.0.1:0"],
            &[("DISCORD_PUBLIC_KEY", &"ab".repeat(32))],
        )
        .unwrap();
        assert!(matches!(c.mode, Mode::Endpoint { .. }));
        assert!(c.token.is_none());
    }

    #[test]
    fn bad_ids_are_refused() {
        let err = config(&[], &[("DISCORD_TOKEN", "t"), ("DISCORD_GUILD_ID", "abc")]).unwrap_err();
        assert!(err.0.contains("DISCORD_GUILD_ID"));
    }
}
