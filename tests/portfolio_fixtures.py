"""Small ideas for the portfolio tests, built in memory."""

from __future__ import annotations

from mlpm_kit.idea.files import validate_idea


def make_idea(idea_id: str, mvp_weeks: float, users: float | str = 100, **extra):
    """An idea whose effort is exactly `mvp_weeks` (no build weeks, no iterations)."""
    data = {
        "id": idea_id,
        "title": f"Idea {idea_id}",
        "pain": {"frequency": 3, "severity": 3},
        "value": {
            "users": users,
            "adoption": 0.5,
            "hours_saved_per_user_week": 2,
            "hourly_cost": 50,
        },
        "cost": {"team_week_cost": 4000, "mvp_weeks": mvp_weeks},
        "evidence": {"confidence": 0.8},
    }
    data.update(extra)
    return validate_idea(data, "test", default_id=idea_id)


ROW_HEADER = "id,title,pain.frequency,pain.severity,cost.team_week_cost,cost.mvp_weeks,value.users,value.adoption,value.hours_saved_per_user_week,value.hourly_cost,alternatives[0].name,alternatives[0].captures\n"
GOOD_ROWS = (
    "triage,Ticket triage,5,3,4000,6 to 10,120 to 250,0.6 to 0.9,1 to 3,35,Manual routing,0.2 to 0.4\n"
    "spam,Spam filter,5,4,4000,8,2000,0.9,0.5,40,,\n"
    "churn,Churn alerts,2,4,5000,10 to 14,30,0.8,3,60,Spreadsheet,0.1\n"
)
