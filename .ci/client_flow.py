"""The README quick start through a client generated from openapi/openapi.json.

Run by .ci/schemathesis.sh against the fresh release server, before schemathesis:
    python .ci/client_flow.py <generated package dir> <base url> <admin key>

Every request body is built from the generated models and every answer is read through typed
attributes, so a schema that stops describing a field (or describes it wrongly) fails here: the
generated parser raises on an answer that does not match, or the attribute is missing.
"""

import datetime as dt
import sys

sys.path.insert(0, sys.argv[1])
BASE, KEY = sys.argv[2], sys.argv[3]

from sos_client import AuthenticatedClient  # noqa: E402
from sos_client.api.config import create_config  # noqa: E402
from sos_client.api.master_data import create_am, create_campaign, create_seller  # noqa: E402
from sos_client.api.scores import calculate, preview, seller_score  # noqa: E402
from sos_client.api.sync import (  # noqa: E402
    sync_campaign_actuals,
    sync_forecasts,
    sync_inventory,
    sync_orders,
    sync_payments,
    sync_revenue,
    sync_tickets,
)
from sos_client.models import (  # noqa: E402
    AmBonusPenaltyConfig,
    AmBonusPenaltyConfigRow,
    AmKpiWeightConfig,
    AmKpiWeightConfigRow,
    CreateConfigConfigType,
    FScoreConfig,
    FScoreConfigRow,
    GracePeriodConfig,
    GracePeriodConfigRow,
    HelpdeskConfig,
    HelpdeskConfigRow,
    IScoreConfig,
    IScoreConfigRow,
    OScoreConfig,
    OScoreConfigRow,
    PScoreConfig,
    PScoreConfigRow,
    ScoreWeightsConfig,
    ScoreWeightsConfigRow,
    SurchargeConfig,
    SurchargeConfigRow,
    TiersConfig,
    TiersConfigRow,
    TScoreConfig,
    TScoreConfigRow,
    AmBody,
    AmView,
    BreakdownDto,
    CalculateBody,
    CampaignActualSync,
    CampaignBody,
    CampaignStatus,
    CampaignType,
    ComponentStatus,
    ForecastSync,
    InventorySync,
    InvoiceBucket,
    InvoiceDto,
    OrderFigures,
    OrderSync,
    PaymentFormatA,
    PaymentFormatB,
    PreviewBody,
    RawOrderItem,
    RawOrderStatus,
    RawOrderSync,
    RevenueSync,
    RunStatus,
    RunView,
    ScoreStatus,
    ScoreView,
    SellerBody,
    SyncAccepted,
    TicketBucket,
    TicketSync,
    TMethod,
)

client = AuthenticatedClient(base_url=BASE, token=KEY, raise_on_unexpected_status=True)


def expect(response, status, model):
    """The parsed answer, after checking its status and its type."""
    assert response.status_code == status, (response.status_code, response.content)
    assert isinstance(response.parsed, model), (type(response.parsed), response.content)
    return response.parsed


def close(actual, expected, what):
    assert abs(actual - expected) < 1e-9, f"{what}: {actual} != {expected}"


# Master data.
am = expect(
    create_am.sync_detailed(client=client, body=AmBody(id=1, name="Nguyen Van A", email="a.nguyen@example.com")),
    201,
    AmView,
)
assert am.id == 1
create_seller.sync_detailed(
    client=client,
    body=SellerBody(
        seller_code="SEL001",
        company_name="Acme Cosmetics",
        contract_type="B2C",
        country_code="VN",
        onboarded_at=dt.date(2025, 6, 1),
        am_id=1,
    ),
)
create_campaign.sync_detailed(
    client=client,
    body=CampaignBody(
        campaign_code="CAMP-2026-02",
        name="Valentine 2026",
        campaign_type=CampaignType.MAJOR_CAMPAIGN,
        start_date=dt.date(2026, 2, 14),
        end_date=dt.date(2026, 2, 15),
    ),
)

# The seven syncs: the seed examples, tickets as a batch, orders also raw, payments also Format B.
def synced(response, count=None):
    accepted = expect(response, 200, SyncAccepted)
    assert accepted.success is True
    if count is not None:
        assert accepted.count == count, accepted
    return accepted


synced(sync_orders.sync_detailed(client=client, body=OrderSync(
    seller_code="SEL001", period="2026-02", total_orders=150, orders_within_30min=140, orders_late=10,
    avg_push_time_minutes=18.5)))
forecast = ForecastSync(
    seller_code="SEL001", campaign_code="CAMP-2026-02", forecasted_order_volume=5000,
    submitted_at=dt.datetime(2026, 1, 28, 10, 0, tzinfo=dt.timezone.utc), notes="Valentine sale forecast")
synced(sync_forecasts.sync_detailed(client=client, body=forecast))
synced(sync_campaign_actuals.sync_detailed(client=client, body=CampaignActualSync(
    seller_code="SEL001", campaign_code="CAMP-2026-02", actual_order_volume=4800)))
synced(sync_tickets.sync_detailed(client=client, body=[TicketSync(
    seller_code="SEL001", period="2026-02", total_tickets=25, avg_response_time_hours=3.5,
    breakdown=BreakdownDto(under_4h=18, field_4h_8h=4, field_8h_16h=2, over_16h=1))]), count=1)
synced(sync_payments.sync_detailed(client=client, body=PaymentFormatA(
    seller_code="SEL001", period="2026-02", total_invoices=10, invoices_on_time=7, invoices_late_1_7=2,
    invoices_late_7_15=1, invoices_late_15_20=0, invoices_late_over_20=0, worst_days_late=12,
    total_outstanding_amount=15000000, currency="VND")))
synced(sync_payments.sync_detailed(client=client, body=[PaymentFormatB(
    seller_code="SEL001", period="2026-01", currency="VND",
    invoices=[InvoiceDto(invoice_id="INV001", days_late=0, amount=5000000),
              InvoiceDto(invoice_id="INV002", days_late=5, amount=3000000)])]), count=1)
synced(sync_inventory.sync_detailed(client=client, body=InventorySync(
    seller_code="SEL001", snapshot_date=dt.date(2026, 2, 28), total_cbm=150.5, total_sku_qty=12000,
    aging_over_90d_cbm=22.3, aging_over_90d_sku_qty=1800, aging_over_180d_cbm=5.1, aging_over_180d_pct=3.4)))
synced(sync_revenue.sync_detailed(client=client, body=RevenueSync(
    am_id=1, period="2026-02", revenue_target=500000000, revenue_actual=450000000)))
# Raw orders fall in the month they were created (March here, so February stays the seed's).
synced(sync_orders.sync_detailed(client=client, body=RawOrderSync(seller_code="SEL001", orders=[
    RawOrderItem(order_id="O-1", created_at=dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.timezone.utc),
                 pushed_at=dt.datetime(2026, 3, 2, 10, 10, tzinfo=dt.timezone.utc), status=RawOrderStatus.PUSHED),
    RawOrderItem(order_id="O-2", created_at=dt.datetime(2026, 3, 2, 11, 0, tzinfo=dt.timezone.utc),
                 pushed_at=None, status=RawOrderStatus.PENDING),
])))

# Calculate, then read the stored result through typed attributes.
run = expect(calculate.sync_detailed(client=client, body=CalculateBody(period="2026-02")), 200, RunView)
assert run.status is RunStatus.SUCCEEDED, run.status
assert run.sellers_scored == 1, run

score = expect(seller_score.sync_detailed("SEL001", "2026-02", client=client), 200, ScoreView)
assert score.status is ScoreStatus.SCORED
close(score.sos_score, 89.96, "sos_score")
assert score.tier == "Gold", score.tier
assert score.next_tier.tier == "Platinum"
o = score.components.o_score
assert o.status is ComponentStatus.SCORED
close(o.score, 85, "o_score.score")
close(o.explanation.late_pct, 10 / 150 * 100, "o_score.explanation.late_pct")
assert o.explanation.inputs.total_orders == 150
close(o.explanation.config.value.acceptable_late_pct, 3, "O acceptable_late_pct")
t = score.components.t_score.explanation
assert t.method is TMethod.BREAKDOWN
assert all(isinstance(b.bucket, TicketBucket) for b in t.buckets)
assert [b.bucket.value for b in t.buckets] == ["under_4h", "4h_8h", "8h_16h", "over_16h"]
f = score.components.f_score.explanation
assert all(isinstance(b.bucket, InvoiceBucket) for b in f.buckets)
assert [b.count for b in f.buckets] == [7, 2, 1, 0, 0], f.buckets
campaign = score.components.p_score.explanation.campaigns[0]
assert campaign.status is CampaignStatus.SCORED and campaign.actual == 4800
close(score.components.i_score.score, 80, "i_score.score")
assert score.grace.applied is False
assert isinstance(score.config_ids.tiers, list)

# A row of each of the 12 config types, after the calculation (they start in 2027, or are the
# no-date p-score and helpdesk types, so February's result above does not depend on them).
CONFIG_BODIES = {
    "score-weights": (ScoreWeightsConfig, ScoreWeightsConfigRow, {"score_component": "p_score", "weight_pct": 25, "max_points": 100, "effective_from": "2027-01-01"}),
    "tiers": (TiersConfig, TiersConfigRow, {"tier_name": "Diamond", "tier_order": 5, "min_sos_score": 95, "max_sos_score": 100, "color_code": "#B9F2FF", "effective_from": "2027-01-01"}),
    "p-score": (PScoreConfig, PScoreConfigRow, {"campaign_type": "mini_campaign", "required_lead_days": 7}),
    "o-score": (OScoreConfig, OScoreConfigRow, {"max_delay_minutes": 45, "effective_from": "2027-01-01"}),
    "t-score": (TScoreConfig, TScoreConfigRow, {"tier_index": 1, "response_hours_min": 0, "response_hours_max": 2, "points": 100, "effective_from": "2027-01-01"}),
    "f-score": (FScoreConfig, FScoreConfigRow, {"tier_index": 1, "days_late_min": 0, "days_late_max": 0, "points": 100, "effective_from": "2027-01-01"}),
    "i-score": (IScoreConfig, IScoreConfigRow, {"aging_threshold_days": 60, "calculation_basis": "cbm", "effective_from": "2027-01-01"}),
    "surcharge": (SurchargeConfig, SurchargeConfigRow, {"surcharge_type": "storage", "trigger_condition": {"metric": "aging_over_180d_pct", "op": ">=", "value": 40}, "action": {"type": "fee_multiplier", "fee": "storage", "value": 2}, "effective_from": "2027-01-01"}),
    "am-bonus-penalty": (AmBonusPenaltyConfig, AmBonusPenaltyConfigRow, {"sos_delta_min": 10, "sos_delta_max": 20, "bonus_or_penalty_amount": 9000000, "currency": "VND", "effective_from": "2027-01-01"}),
    "am-kpi-weight": (AmKpiWeightConfig, AmKpiWeightConfigRow, {"component": "avg_sos", "weight_pct": 50, "effective_from": "2027-01-01"}),
    "grace-period": (GracePeriodConfig, GracePeriodConfigRow, {"grace_period_months": 3, "min_score_floor": 75, "apply_to_components": ["o_score", "t_score"], "effective_from": "2027-01-01"}),
    "helpdesk": (HelpdeskConfig, HelpdeskConfigRow, {"country_code": "TH", "helpdesk_url": "https://help.example.th", "api_key": "ci-key", "api_secret": "ci-secret", "sync_method": "pull", "pull_cron": "0 * * * *", "business_hours_start": "08:00", "business_hours_end": "17:30"}),
}
assert len(CONFIG_BODIES) == len(CreateConfigConfigType) == 12
for config_type, (model, row_model, fields) in CONFIG_BODIES.items():
    row = expect(
        create_config.sync_detailed(CreateConfigConfigType(config_type), client=client, body=model.from_dict(fields)),
        201,
        row_model,
    )
    assert row.is_active is True and row.id >= 1, row
helpdesk = expect(
    create_config.sync_detailed(CreateConfigConfigType("helpdesk"), client=client, body=HelpdeskConfig.from_dict(
        dict(CONFIG_BODIES["helpdesk"][2], country_code="SG", helpdesk_url="https://help.example.sg"))),
    201,
    HelpdeskConfigRow,
)
assert helpdesk.api_secret == "********", "secrets are masked on reads"

# The preview answers the same typed result.
previewed = expect(
    preview.sync_detailed(client=client, body=PreviewBody(
        period="2026-02", orders=OrderFigures(total_orders=100, orders_late=0))),
    200,
    ScoreView,
)
assert previewed.components.p_score.status is ComponentStatus.NOT_APPLICABLE
close(previewed.components.o_score.explanation.late_pct, 0, "preview late_pct")

print(
    f"generated client: README flow and 12 config types passed (SOS {score.sos_score} {score.tier}, "
    f"O late_pct {o.explanation.late_pct:.4f})"
)
