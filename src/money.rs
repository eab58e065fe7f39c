//! Amounts are whole minor units; this renders them for people.

/// `123456` → `1234.56`.
pub fn format_minor(amount: i64) -> String {
    let sign = if amount < 0 { "-" } else { "" };
    let abs = amount.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_two_decimals_and_sign() {
        assert_eq!(super::format_minor(123_456), "1234.56");
        assert_eq!(super::format_minor(-5), "-0.05");
    }
}
