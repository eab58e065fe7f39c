use clap::Parser;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    // Read `.env` before the logger starts, so RUST_LOG there applies too.
    let _ = dotenvy::dotenv();
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    lexcrm::cli::run(lexcrm::cli::Cli::parse()).await
}
