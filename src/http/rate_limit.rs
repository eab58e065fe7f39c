//! Sign-in rate limiting per client address, answering in problem+json.

use actix_governor::governor::clock::{Clock, DefaultClock, QuantaInstant};
use actix_governor::governor::middleware::NoOpMiddleware;
use actix_governor::governor::NotUntil;
use actix_governor::{GovernorConfig, GovernorConfigBuilder, KeyExtractor, PeerIpKeyExtractor};
use actix_web::dev::ServiceRequest;
use actix_web::{HttpResponse, HttpResponseBuilder};

use crate::error::Problem;

/// Keys requests by peer address, like governor's own extractor, and answers 429 with a
/// problem body and `Retry-After`.
#[derive(Clone, Copy)]
pub struct LoginKey;

impl KeyExtractor for LoginKey {
    type Key = <PeerIpKeyExtractor as KeyExtractor>::Key;
    type KeyExtractionError = <PeerIpKeyExtractor as KeyExtractor>::KeyExtractionError;

    fn extract(&self, req: &ServiceRequest) -> Result<Self::Key, Self::KeyExtractionError> {
        PeerIpKeyExtractor.extract(req)
    }

    fn exceed_rate_limit_response(
        &self,
        negative: &NotUntil<QuantaInstant>,
        mut response: HttpResponseBuilder,
    ) -> HttpResponse {
        let wait = negative
            .wait_time_from(DefaultClock::default().now())
            .as_secs()
            .max(1);
        log::info!("sign-in rate limit reached");
        response
            .content_type("application/problem+json")
            .insert_header(("Retry-After", wait.to_string()))
            .json(Problem {
                problem_type: "urn:lexcrm:problem:too_many_requests".to_string(),
                title: "Too Many Requests".to_string(),
                status: 429,
                detail: format!("too many sign-in attempts; retry in {wait} s"),
                code: "too_many_requests".to_string(),
                errors: Vec::new(),
            })
    }
}

/// Allows `per_minute` requests a minute per address, all of them at once at most.
pub fn login_limiter(per_minute: u32) -> GovernorConfig<LoginKey, NoOpMiddleware> {
    let per_minute = per_minute.max(1);
    GovernorConfigBuilder::default()
        .key_extractor(LoginKey)
        .milliseconds_per_request(60_000 / u64::from(per_minute))
        .burst_size(per_minute)
        .finish()
        .expect("a positive period and burst size")
}
