use clap::Parser;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    lexcrm::cli::run(lexcrm::cli::Cli::parse()).await
}
