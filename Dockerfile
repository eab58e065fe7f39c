# Build:  docker build -t lexcrm .
# Run:    docker run -p 8080:8080 -v lexcrm-data:/app/data lexcrm
# SQLite and libpq are compiled into the binary, so the runtime image needs no database libraries.

# ---- build ----
FROM rust:1-bookworm AS build
WORKDIR /src

# Dependencies first, against placeholder sources, so that this layer is reused
# until Cargo.toml or Cargo.lock change.
COPY Cargo.toml Cargo.lock ./
RUN mkdir src benches \
    && echo 'fn main() {}' > src/main.rs \
    && echo 'fn main() {}' > benches/api.rs \
    && touch src/lib.rs \
    && cargo build --release --locked \
    && rm -rf src benches

# The application itself. Migrations are embedded into the binary at compile time.
COPY migrations ./migrations
COPY benches ./benches
COPY src ./src
# Newer mtimes than the placeholder build, so cargo recompiles the crate.
RUN touch src/main.rs src/lib.rs \
    && cargo build --release --locked \
    && install -D -m 0755 target/release/lexcrm /out/lexcrm

# ---- runtime ----
FROM debian:bookworm-slim

RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 lexcrm \
    && useradd --system --uid 10001 --gid lexcrm --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin lexcrm \
    && mkdir -p /app/data \
    && chown -R lexcrm:lexcrm /app

COPY --from=build /out/lexcrm /usr/local/bin/lexcrm

WORKDIR /app
# The default DATABASE_URL (sqlite://data/lexcrm.db) resolves to /app/data/lexcrm.db.
VOLUME ["/app/data"]

USER lexcrm

ENV HOST=0.0.0.0 \
    PORT=8080

EXPOSE 8080

HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${PORT}/ready" || exit 1

ENTRYPOINT ["lexcrm"]
CMD ["serve"]
