"""Where the form fuzzer finds each route's URL parameters: SQL over the demo's records, by path pattern."""

# Where each route's URL parameters come from: for routes whose path matches the pattern, rows of the demo's records
# (and those made in setup), each row naming every parameter it can fill. ``state`` spreads the tries over records
# in different states (a bid in screening, one decided); ``who`` names the one user who may see the page (a
# reviewer's assignment). A route takes the rows that fill all its parameters, from every source that matches.
SOURCES: tuple[tuple[str, str], ...] = (
    (
        r"^/(organisations|staff/organisations)/<",
        "SELECT id AS organisation_id, status AS state FROM organisation "
        "ORDER BY id IN (SELECT organisation_id FROM membership) DESC, id",
    ),
    (
        r"^/funding/",
        "SELECT r.id AS round_id, o.id AS organisation_id, 'open' AS state FROM funding_round r, organisation o "
        "WHERE r.published_at IS NOT NULL AND r.opens_at <= :now AND r.closes_at > :now AND o.organisation_type IN "
        "('charity', 'cic', 'community_group') AND o.id IN (SELECT organisation_id FROM membership) AND NOT EXISTS "
        "(SELECT 1 FROM application a WHERE a.round_id = r.id AND a.organisation_id = o.id)",
    ),
    (
        r"^/(?!funding/<int:round_id>/apply$)",
        "SELECT a.id AS application_id, a.round_id, a.organisation_id, a.status AS state FROM application a "
        "ORDER BY a.id DESC",
    ),
    (
        r"^(/organisations/<int:organisation_id>)?/applications/<int:application_id>",
        "SELECT a.id AS application_id, a.organisation_id, n.section_number, a.status AS state FROM application a, "
        "(SELECT 1 AS section_number UNION SELECT 2) n WHERE a.status = 'draft'",
    ),
    (
        r"^/staff/(reviews|rounds)",
        "SELECT r.id AS assignment_id, r.application_id, a.round_id, r.reviewer_id AS who, CASE WHEN r.removed_at "
        "IS NULL THEN a.status ELSE 'removed' END AS state FROM review_assignment r JOIN application a "
        "ON a.id = r.application_id ORDER BY r.removed_at IS NOT NULL, r.completed_at IS NOT NULL, r.id DESC",
    ),
    (r"^/staff/funds", "SELECT f.id AS fund_id, 'fund' AS state FROM fund f"),
    (
        r"^/staff/funds",
        "SELECT r.id AS round_id, r.fund_id, CASE WHEN r.published_at IS NULL THEN 'draft' ELSE 'published' END AS "
        "state FROM funding_round r ORDER BY r.published_at IS NULL DESC",
    ),
    (
        r"^/staff/funds",
        "SELECT q.id AS question_id, q.round_id, CASE WHEN q.archived_at IS NULL THEN 'live' ELSE 'removed' END AS "
        "state FROM question q ORDER BY q.round_id IS NULL DESC",
    ),
    (r"^/staff/funds", "SELECT c.id AS criterion_id, c.round_id, 'criterion' AS state FROM criterion c"),
    (
        r"",
        "SELECT w.id AS award_id, w.organisation_id, w.application_id, w.status AS state FROM award w ORDER BY w.id "
        "DESC",
    ),
    (
        r"^/staff/awards",
        "SELECT w.id AS award_id, k.kind, w.status AS state FROM award w, (SELECT 'extend' AS kind UNION SELECT "
        "'change-amount' UNION SELECT 'end-early') k",
    ),
    (r"^/staff/awards", "SELECT i.id AS instalment_id, i.award_id, i.status AS state FROM instalment i"),
    (r"^/staff/awards", "SELECT v.id AS variation_id, v.award_id, v.status AS state FROM award_variation v"),
    (
        r"^/staff/monitoring",
        "SELECT m.id AS measure_id, m.award_id, 'measure' AS state FROM measure m WHERE m.award_id IS NOT NULL",
    ),
    (r"^/staff/monitoring", "SELECT p.id AS record_id, 'record' AS state FROM performance_record p"),
    (
        r"/(awards|monitoring|good-practice)/",
        "SELECT r.id AS return_id, r.award_id, w.organisation_id, r.status AS state FROM monitoring_return r JOIN "
        "award w ON w.id = r.award_id",
    ),
    (
        r"",
        "SELECT f.id AS follow_up_id, f.award_id, w.organisation_id, f.status AS state FROM follow_up_return f JOIN "
        "award w ON w.id = f.award_id",
    ),
    (
        r"",
        "SELECT t.id AS thread_id, t.award_id, w.organisation_id, t.status AS state FROM dialogue_thread t JOIN award "
        "w ON w.id = t.award_id",
    ),
    (
        r"^/staff/good-practice",
        "SELECT c.id AS case_study_id, CASE WHEN c.unpublished_at IS NULL THEN 'published' ELSE 'unpublished' END AS "
        "state FROM published_case_study c",
    ),
    (
        r"/(allocations|drawdowns)",
        "SELECT a.id AS allocation_id, a.organisation_id, CASE WHEN a.issued_on IS NULL THEN 'draft' ELSE 'issued' END "
        "AS state FROM allocation a",
    ),
    (
        r"/(allocations|drawdowns)",
        "SELECT d.id AS drawdown_id, d.allocation_id, a.organisation_id, d.status AS state FROM drawdown d JOIN "
        "allocation a ON a.id = d.allocation_id",
    ),
    (
        r"^/staff/boroughs/allocations",
        "SELECT b.id AS allocation_id, CASE WHEN b.confirmed_on IS NULL THEN 'unconfirmed' ELSE 'confirmed' END AS "
        "state FROM borough_allocation b",
    ),
    (r"delivery-plans|boroughs", "SELECT p.id AS plan_id, p.organisation_id, p.status AS state FROM delivery_plan p"),
    (
        r"delivery-plans|boroughs",
        "SELECT j.id AS project_id, j.plan_id, p.organisation_id, p.status AS state FROM plan_project j JOIN "
        "delivery_plan p ON p.id = j.plan_id",
    ),
    (
        r"delivery-plans|boroughs",
        "SELECT r.id AS return_id, j.plan_id, p.organisation_id, r.status AS state FROM monitoring_return r JOIN "
        "plan_project j ON j.id = r.plan_project_id JOIN delivery_plan p ON p.id = j.plan_id",
    ),
    (r"^/staff/boroughs/plans", "SELECT i.id AS instalment_id, i.plan_id, i.status AS state FROM plan_instalment i"),
    (r"lcpf", "SELECT v.id AS version_id, v.status AS state FROM lcpf_version v"),
    (
        r"lcpf",
        "SELECT v.id AS version_id, o.id AS organisation_id, v.status AS state FROM lcpf_version v, organisation o "
        "WHERE o.organisation_type = 'borough' AND o.id IN (SELECT organisation_id FROM membership)",
    ),
    (r"lcpf", "SELECT r.id AS response_id, r.version_id, 'response' AS state FROM lcpf_response r"),
    (r"^/staff/reports", "SELECT r.id AS run_id, r.status AS state FROM report_run r"),
    (r"^/staff/users", "SELECT u.id AS user_id, 'staff' AS state FROM user_account u WHERE u.staff_role IS NOT NULL"),
    (r"^/organisations/", "SELECT m.id AS membership_id, m.organisation_id, m.role AS state FROM membership m"),
    (r"^/staff/outcomes", "SELECT f.id AS framework_id, f.status AS state FROM outcome_framework f ORDER BY f.id DESC"),
    (
        r"^/staff/outcomes",
        "SELECT o.id AS outcome_id, o.framework_id, f.status AS state FROM outcome o "
        "JOIN outcome_framework f ON f.id = o.framework_id ORDER BY o.id DESC",
    ),
    (r"^/staff/outcomes", "SELECT m.id AS measure_id, 'measure' AS state FROM measure m ORDER BY m.id DESC"),
    (r"^/staff/outcomes", "SELECT j.id AS project_id, 'project' AS state FROM plan_project j ORDER BY j.id DESC"),
    (
        r"^/staff/evaluations",
        "SELECT e.id AS evaluation_id, e.status AS state FROM evaluation e ORDER BY e.status = 'done' DESC, e.id DESC",
    ),
    (r"^/staff/value", "SELECT a.id AS analysis_id, a.status AS state FROM value_analysis a ORDER BY a.id DESC"),
    (
        r"^/staff/value",
        "SELECT c.id AS cost_id, c.analysis_id, a.status AS state FROM value_cost c "
        "JOIN value_analysis a ON a.id = c.analysis_id ORDER BY c.id DESC",
    ),
    (
        r"^/staff/value",
        "SELECT o.id AS outcome_id, o.analysis_id, a.status AS state FROM value_outcome o "
        "JOIN value_analysis a ON a.id = o.analysis_id ORDER BY o.id DESC",
    ),
    (r"^/staff/value", "SELECT u.id AS unit_value_id, 'unit value' AS state FROM unit_value u"),
    (
        r"^/staff/service-contacts",
        "SELECT c.id AS contact_id, c.status AS state FROM service_contact c ORDER BY c.id DESC",
    ),
    (
        r"^/staff/subject-access",
        "SELECT x.id AS export_id, 'export' AS state FROM personal_data_export x WHERE x.subject_access",
    ),
    (
        r"^/organisations/",
        "SELECT i.id AS invitation_id, i.organisation_id, 'open' AS state FROM invitation i WHERE i.accepted_at IS "
        "NULL AND i.revoked_at IS NULL",
    ),
)
# Pages that render a route's form although they are not the route itself nor a page above it.
FORM_PAGES: dict[str, list[str]] = {
    "admin.verify_organisation": ["organisations.overview"],
    "applications.submit": ["applications.check_answers"],
    "applications.apply_profile_changes": ["applications.task_list"],
}
