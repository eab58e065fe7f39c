//! Table definitions shared by both backends (see `migrations/`).

diesel::table! {
    staff (id) {
        id -> Text,
        email -> Text,
        full_name -> Text,
        role -> Text,
        supervisor_id -> Nullable<Text>,
        password_hash -> Text,
        active -> Bool,
        deactivated_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        staff_id -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    clients (id) {
        id -> Text,
        full_name -> Text,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        client_manager_id -> Text,
        sales_manager_id -> Nullable<Text>,
        notification_preference -> Text,
        search_text -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    case_templates (id) {
        id -> Text,
        name -> Text,
        description -> Text,
        archived_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    template_steps (id) {
        id -> Text,
        template_id -> Text,
        position -> Integer,
        title -> Text,
        description -> Text,
        preset_difficulty -> Nullable<Integer>,
        duration_days -> Integer,
        performer -> Text,
        notify_client -> Bool,
        client_message -> Text,
        result_fields -> Text,
    }
}

diesel::table! {
    cases (id) {
        id -> Text,
        client_id -> Text,
        template_id -> Text,
        title -> Text,
        responsible_lawyer_id -> Text,
        client_manager_id -> Text,
        status -> Text,
        opened_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        close_reason -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    case_steps (id) {
        id -> Text,
        case_id -> Text,
        position -> Integer,
        title -> Text,
        description -> Text,
        preset_difficulty -> Nullable<Integer>,
        duration_days -> Integer,
        performer -> Text,
        notify_client -> Bool,
        client_message -> Text,
        result_fields -> Text,
        status -> Text,
        task_id -> Nullable<Text>,
        activated_at -> Nullable<Timestamp>,
        completed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    tasks (id) {
        id -> Text,
        title -> Text,
        description -> Text,
        assignee_id -> Text,
        created_by_id -> Nullable<Text>,
        case_id -> Nullable<Text>,
        case_step_id -> Nullable<Text>,
        client_id -> Nullable<Text>,
        status -> Text,
        preset_difficulty -> Nullable<Integer>,
        difficulty -> Nullable<Integer>,
        due_at -> Timestamp,
        result_text -> Nullable<Text>,
        result_fields -> Nullable<Text>,
        first_submitted_at -> Nullable<Timestamp>,
        submitted_at -> Nullable<Timestamp>,
        approved_at -> Nullable<Timestamp>,
        approved_by_id -> Nullable<Text>,
        zero_reason -> Nullable<Text>,
        return_comment -> Nullable<Text>,
        cancel_reason -> Nullable<Text>,
        approval_count -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    bonus_rates (difficulty) {
        difficulty -> Integer,
        amount_minor -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    ledger_entries (id) {
        id -> Text,
        staff_id -> Text,
        kind -> Text,
        amount_minor -> BigInt,
        currency -> Text,
        month -> Text,
        task_id -> Nullable<Text>,
        approval_no -> Nullable<Integer>,
        difficulty -> Nullable<Integer>,
        work_date -> Nullable<Text>,
        reason -> Nullable<Text>,
        created_by_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    leaderboard_totals (month, staff_id) {
        month -> Text,
        staff_id -> Text,
        total_minor -> BigInt,
        approved_tasks -> BigInt,
        difficulty_sum -> BigInt,
        zero_rated_tasks -> BigInt,
        no_overdue_days -> BigInt,
    }
}

diesel::table! {
    job_cursors (job) {
        job -> Text,
        next_date -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    notifications (id) {
        id -> Text,
        staff_id -> Text,
        kind -> Text,
        message -> Text,
        task_id -> Nullable<Text>,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(tasks -> cases (case_id));
diesel::joinable!(tasks -> staff (assignee_id));
diesel::joinable!(leaderboard_totals -> staff (staff_id));
diesel::joinable!(case_steps -> cases (case_id));
diesel::joinable!(template_steps -> case_templates (template_id));

diesel::allow_tables_to_appear_in_same_query!(
    staff,
    refresh_tokens,
    clients,
    case_templates,
    template_steps,
    cases,
    case_steps,
    tasks,
    bonus_rates,
    ledger_entries,
    leaderboard_totals,
    job_cursors,
    notifications,
);
