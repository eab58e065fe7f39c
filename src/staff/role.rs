use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a staff member does in the firm; decides what they may see and change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs settings, staff, templates and bonus rates; sees everything.
    Admin,
    /// Head of the legal department: approves lawyers' tasks.
    HeadOfLegal,
    Lawyer,
    /// Head of sales: approves sales and client managers' tasks.
    HeadOfSales,
    SalesManager,
    ClientManager,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::HeadOfLegal,
        Role::Lawyer,
        Role::HeadOfSales,
        Role::SalesManager,
        Role::ClientManager,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::HeadOfLegal => "head_of_legal",
            Role::Lawyer => "lawyer",
            Role::HeadOfSales => "head_of_sales",
            Role::SalesManager => "sales_manager",
            Role::ClientManager => "client_manager",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }

    pub fn is_head(self) -> bool {
        matches!(self, Role::HeadOfLegal | Role::HeadOfSales)
    }

    /// Admins and heads see every client and case; others only their own.
    pub fn sees_whole_firm(self) -> bool {
        self == Role::Admin || self.is_head()
    }
}
