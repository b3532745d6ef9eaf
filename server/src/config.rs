//! Command-line and environment configuration: one typed struct, every field an env twin.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use axum::http::Uri;
use clap::{Args, Parser};

use crate::session::SecondFactorPolicy;

/// The server's settings. Durations take `humantime` forms such as `90s`, `30m` or `12h`.
#[derive(Clone, Debug, Args)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port (printed at start).
    #[arg(long, env = "GATEHOUSE_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Database for users and notes (and sessions, unless `--session-store` says otherwise):
    /// `sqlite://PATH` (the file and its folder are created) or `postgres://USER:PASS@HOST/DB`.
    #[arg(
        long,
        env = "GATEHOUSE_DATABASE_URL",
        default_value = "sqlite://data/gatehouse.db",
        hide_env_values = true,
        value_parser = database_url,
        global = true
    )]
    pub database_url: SecretUrl,

    /// Where sessions live: `database` (the one above) or `redis://[:PASS@]HOST[:PORT][/DB]`.
    /// With Redis, the login throttle's counters live there too, shared by every instance.
    #[arg(
        long,
        env = "GATEHOUSE_SESSION_STORE",
        default_value = "database",
        hide_env_values = true
    )]
    pub session_store: SessionStoreUrl,

    /// The built SPA (Trunk's output folder).
    #[arg(long, env = "GATEHOUSE_DIST", default_value = "dist")]
    pub dist: PathBuf,

    /// The URL people reach the server at; an `https` URL turns on `Secure` cookies with the
    /// `__Host-` prefix and HSTS.
    #[arg(long, env = "GATEHOUSE_PUBLIC_URL")]
    pub public_url: Option<PublicUrl>,

    /// A session ends after this long without a request.
    #[arg(long, env = "GATEHOUSE_SESSION_IDLE_TIMEOUT", default_value = "30m", value_parser = humantime::parse_duration)]
    pub session_idle_timeout: Duration,

    /// A session ends this long after sign-in, however active.
    #[arg(long, env = "GATEHOUSE_SESSION_MAX_LIFETIME", default_value = "12h", value_parser = humantime::parse_duration)]
    pub session_max_lifetime: Duration,

    /// How long a sign-in or re-authentication allows actions that need a recent proof of the
    /// password (changing it, ending sessions); after that they answer `reauth_required`.
    #[arg(long, env = "GATEHOUSE_REAUTH_WINDOW", default_value = "10m", value_parser = humantime::parse_duration)]
    pub reauth_window: Duration,

    /// Failed sign-ins allowed per username, and ten times as many per client address, within
    /// one throttle window.
    #[arg(long, env = "GATEHOUSE_LOGIN_MAX_FAILURES", default_value_t = 5)]
    pub login_max_failures: u32,

    /// How long failed sign-ins are remembered for throttling.
    #[arg(long, env = "GATEHOUSE_LOGIN_THROTTLE_WINDOW", default_value = "15m", value_parser = humantime::parse_duration)]
    pub login_throttle_window: Duration,

    /// Addresses of reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are
    /// believed (comma-separated or repeated). Nobody else's are: without this, the client
    /// address is the peer's and the scheme is the connection's.
    #[arg(
        long = "trusted-proxy",
        env = "GATEHOUSE_TRUSTED_PROXY",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,

    /// A request line and its headers must arrive within this; a connection that sends
    /// nothing, or headers a byte at a time, is closed.
    #[arg(long, env = "GATEHOUSE_HEADER_READ_TIMEOUT", default_value = "10s", value_parser = humantime::parse_duration)]
    pub header_read_timeout: Duration,

    /// A keep-alive connection with no request for this long is closed (at most the header
    /// read timeout, which also runs while a connection waits for its next request).
    #[arg(long, env = "GATEHOUSE_KEEP_ALIVE_TIMEOUT", default_value = "5s", value_parser = humantime::parse_duration)]
    pub keep_alive_timeout: Duration,

    /// Connections served at once; more wait, unaccepted, until one closes.
    #[arg(long, env = "GATEHOUSE_MAX_CONNECTIONS", default_value_t = 4096)]
    pub max_connections: usize,

    /// Accounts that must have a passkey or an authenticator app: `admins`, `everyone` or
    /// `none`. A covered account without one is sent, once signed in, to set one up before it
    /// reaches anything else; one with a passkey but no app finishes a password sign-in with
    /// its passkey.
    #[arg(long, env = "GATEHOUSE_REQUIRE_SECOND_FACTOR", default_value = "none")]
    pub require_second_factor: SecondFactorPolicy,

    /// The key that seals authenticator apps' secrets in the database (32 bytes, base64), made
    /// there when missing; by default `totp.key` beside a SQLite file, or in `data/`. Every
    /// instance sharing a database needs the same file: a server given another refuses to start.
    #[arg(long, env = "GATEHOUSE_TOTP_KEY_FILE")]
    pub totp_key_file: Option<PathBuf>,

    /// The OpenID provider people may sign in through, beside local accounts: its issuer URL
    /// (discovery at `ISSUER/.well-known/openid-configuration`). Off when not set. Register
    /// `PUBLIC_URL/api/auth/oidc/callback` as the redirect URI there.
    #[arg(long, env = "GATEHOUSE_OIDC_ISSUER", requires_all = ["oidc_client_id", "oidc_client_secret_file"])]
    pub oidc_issuer: Option<String>,

    /// This server's client id at the provider.
    #[arg(long, env = "GATEHOUSE_OIDC_CLIENT_ID", requires = "oidc_issuer")]
    pub oidc_client_id: Option<String>,

    /// A file holding the client secret (kept out of the command line and the environment,
    /// where other processes and logs could read it).
    #[arg(
        long,
        env = "GATEHOUSE_OIDC_CLIENT_SECRET_FILE",
        requires = "oidc_issuer"
    )]
    pub oidc_client_secret_file: Option<PathBuf>,

    /// What the sign-in page calls the provider: "Sign in with LABEL".
    #[arg(
        long,
        env = "GATEHOUSE_OIDC_LABEL",
        default_value = "your organization"
    )]
    pub oidc_label: String,

    /// Create an account (user role) at the first sign-in of an identity linked to none, named
    /// from its claims. Off: such an identity is refused until someone links it.
    #[arg(long, env = "GATEHOUSE_OIDC_CREATE_ACCOUNTS")]
    pub oidc_create_accounts: bool,

    /// Seed a demo user and admin when the database has no accounts, printing their passwords once.
    #[arg(long, env = "GATEHOUSE_DEMO")]
    pub demo: bool,
}

/// A database or Redis URL, which may carry a password: `Debug` and `Display` hide it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretUrl(String);

impl SecretUrl {
    /// The URL itself, password included, for the driver only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The scheme, before `:`.
    pub fn scheme(&self) -> &str {
        self.0.split_once(':').map_or("", |(scheme, _)| scheme)
    }
}

impl FromStr for SecretUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.split_once(':')
            .is_none_or(|(scheme, _)| scheme.is_empty())
        {
            return Err("not a URL (no scheme)".into());
        }
        Ok(Self(s.to_string()))
    }
}

/// `--database-url`: SQLite or PostgreSQL.
fn database_url(s: &str) -> Result<SecretUrl, String> {
    let url: SecretUrl = s.parse()?;
    crate::data::db::Backend::of(url.expose()).map_err(|e| e.to_string())?;
    Ok(url)
}

impl fmt::Display for SecretUrl {
    /// The URL with any `user:password@` replaced by `***@`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.split_once("://") {
            Some((scheme, rest)) => {
                let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
                match rest[..authority_end].rfind('@') {
                    Some(at) => write!(f, "{scheme}://***{}", &rest[at..]),
                    None => f.write_str(&self.0),
                }
            }
            None => f.write_str(&self.0),
        }
    }
}

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretUrl({self})")
    }
}

/// `--session-store`: the database, or a Redis server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionStoreUrl {
    /// Sessions in the database (`--database-url`).
    Database,
    /// Sessions, and the login throttle's counters, in Redis.
    Redis(SecretUrl),
}

impl FromStr for SessionStoreUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "database" {
            return Ok(Self::Database);
        }
        match s.parse::<SecretUrl>() {
            Ok(url) if url.scheme() == "redis" => Ok(Self::Redis(url)),
            // Without one of fred's TLS features the connection would silently be plain text.
            Ok(url) if url.scheme() == "rediss" => Err(
                "rediss:// (TLS) is not built in: use redis:// on a private network, or through \
                 a TLS tunnel"
                    .into(),
            ),
            _ => Err("must be `database` or a redis:// URL".into()),
        }
    }
}

/// An absolute `http` or `https` URL, reduced to its origin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicUrl {
    /// `scheme://host[:port]`, as browsers send it in `Origin`.
    pub origin: String,
    /// Whether the scheme is `https`.
    pub https: bool,
}

impl FromStr for PublicUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let uri: Uri = s.parse().map_err(|e| format!("not a URL ({e}): {s:?}"))?;
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err(format!("must start with http:// or https://: {s:?}")),
        };
        let authority = uri
            .authority()
            .ok_or_else(|| format!("has no host: {s:?}"))?;
        if authority.as_str().contains('@') {
            return Err(format!("must not carry credentials: {s:?}"));
        }
        let scheme = if https { "https" } else { "http" };
        Ok(Self {
            origin: format!("{scheme}://{}", authority.as_str().to_ascii_lowercase()),
            https,
        })
    }
}

impl Config {
    /// The key file for authenticator apps' secrets: as given, or beside the SQLite file, or
    /// `data/totp.key`.
    pub fn totp_key_file(&self) -> PathBuf {
        if let Some(file) = &self.totp_key_file {
            return file.clone();
        }
        let sqlite = self
            .database_url
            .expose()
            .strip_prefix("sqlite://")
            .map(|rest| rest.split('?').next().unwrap_or(rest))
            .map(std::path::Path::new)
            .and_then(|file| file.parent())
            .filter(|dir| !dir.as_os_str().is_empty());
        sqlite
            .map_or_else(|| PathBuf::from("data"), PathBuf::from)
            .join("totp.key")
    }

    /// The identity provider's settings, when one is configured.
    pub fn provider(&self) -> Option<crate::auth::provider::ProviderSettings> {
        Some(crate::auth::provider::ProviderSettings {
            issuer: self.oidc_issuer.clone()?,
            client_id: self.oidc_client_id.clone()?,
            client_secret_file: self.oidc_client_secret_file.clone()?,
            label: self.oidc_label.clone(),
            create_accounts: self.oidc_create_accounts,
        })
    }

    /// Whether cookies must be `Secure` and HSTS sent.
    pub fn https(&self) -> bool {
        self.public_url.as_ref().is_some_and(|u| u.https)
    }

    /// Settings for tests and tools: everything default but the database, with no SPA.
    pub fn for_database(database_url: &str) -> Self {
        /// The settings alone, as the command line would give them.
        #[derive(Parser)]
        struct Settings {
            #[command(flatten)]
            config: Config,
        }
        Settings::parse_from(["gatehouse-server", "--database-url", database_url]).config
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;

    #[test]
    fn a_public_url_is_reduced_to_its_lowercase_origin() {
        let url: PublicUrl = "https://Example.COM:8443/app/".parse().unwrap();
        assert_eq!(url.origin, "https://example.com:8443");
        assert!(url.https);
        let url: PublicUrl = "http://127.0.0.1:8080".parse().unwrap();
        assert!(!url.https);
    }

    #[test]
    fn the_totp_key_lives_beside_the_sqlite_file_unless_told() {
        let config = Config::for_database("sqlite:///srv/gh/app.db");
        assert_eq!(config.totp_key_file(), PathBuf::from("/srv/gh/totp.key"));
        let config = Config::for_database("postgres://u@db/gh");
        assert_eq!(config.totp_key_file(), PathBuf::from("data/totp.key"));
        assert!(SecondFactorPolicy::Admins.covers(gatehouse_api::Role::Admin));
        assert!(!SecondFactorPolicy::Admins.covers(gatehouse_api::Role::User));
    }

    #[test]
    fn a_public_url_without_http_scheme_or_with_credentials_is_refused() {
        assert!("ftp://example.com".parse::<PublicUrl>().is_err());
        assert!("example.com".parse::<PublicUrl>().is_err());
        assert!("https://user@example.com".parse::<PublicUrl>().is_err());
    }

    #[test]
    fn passwords_in_urls_never_show_in_debug_or_display() {
        let url: SecretUrl = "postgres://gate:s3cret@db.internal:5432/gatehouse"
            .parse()
            .unwrap();
        assert_eq!(url.to_string(), "postgres://***@db.internal:5432/gatehouse");
        assert!(!format!("{url:?}").contains("s3cret"));
        assert!(url.expose().contains("s3cret"));
        let redis: SessionStoreUrl = "redis://:pw@cache:6379/0".parse().unwrap();
        assert!(!format!("{redis:?}").contains("pw@"), "{redis:?}");
        let plain: SecretUrl = "sqlite://data/g.db".parse().unwrap();
        assert_eq!(plain.to_string(), "sqlite://data/g.db");
    }

    #[test]
    fn unsupported_database_and_session_store_urls_are_refused_at_parse_time() {
        let err = Cli::try_parse_from(["gatehouse-server", "--database-url", "mysql://x/y"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("unsupported URL scheme \"mysql\""), "{err}");
        let err = Cli::try_parse_from(["gatehouse-server", "--session-store", "memcached://x"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("redis://"), "{err}");
        let err = Cli::try_parse_from(["gatehouse-server", "--session-store", "rediss://cache"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("TLS") && err.contains("not built in"), "{err}");
        let cli = Cli::parse_from(["gatehouse-server"]);
        assert_eq!(cli.config.session_store, SessionStoreUrl::Database);
        assert_eq!(cli.config.database_url.scheme(), "sqlite");
    }

    #[test]
    fn durations_take_human_forms_and_defaults_match_the_docs() {
        let cli = Cli::parse_from([
            "gatehouse-server",
            "--session-idle-timeout",
            "90s",
            "--session-max-lifetime",
            "2h",
        ]);
        assert_eq!(cli.config.session_idle_timeout, Duration::from_secs(90));
        assert_eq!(cli.config.session_max_lifetime, Duration::from_secs(7200));
        let default = Config::for_database("sqlite::memory:");
        assert_eq!(default.session_idle_timeout, Duration::from_secs(30 * 60));
        assert_eq!(default.session_max_lifetime, Duration::from_secs(12 * 3600));
        assert_eq!(default.listen.port(), 8080);
    }
}
