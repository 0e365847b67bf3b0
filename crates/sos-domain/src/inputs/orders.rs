use crate::error::ValidationErrors;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Order push statistics for one seller and period, pre-aggregated by the OMS (seed form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderStats {
    total_orders: u32,
    orders_within_30min: Option<u32>,
    orders_late: Option<u32>,
    avg_push_time_minutes: Option<Decimal>,
}

impl OrderStats {
    /// Validates the seed's order aggregate.
    ///
    /// # Errors
    /// When `orders_within_30min + orders_late` exceeds `total_orders`, or the average push time
    /// is negative. Every problem is listed.
    pub fn new(
        total_orders: u32,
        orders_within_30min: Option<u32>,
        orders_late: Option<u32>,
        avg_push_time_minutes: Option<Decimal>,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let within = u64::from(orders_within_30min.unwrap_or(0));
        let late = u64::from(orders_late.unwrap_or(0));
        if within + late > u64::from(total_orders) {
            let field = if orders_late.is_some() {
                "orders_late"
            } else {
                "orders_within_30min"
            };
            errors.push(
                field,
                format!(
                    "orders_within_30min + orders_late ({}) must not exceed total_orders ({total_orders})",
                    within + late
                ),
            );
        }
        super::check_non_negative(&mut errors, "avg_push_time_minutes", avg_push_time_minutes);
        errors.into_result(Self {
            total_orders,
            orders_within_30min,
            orders_late,
            avg_push_time_minutes,
        })
    }

    /// Orders in the period.
    pub fn total_orders(&self) -> u32 {
        self.total_orders
    }

    /// Orders pushed within the allowed delay, when the OMS sent it.
    pub fn orders_within_30min(&self) -> Option<u32> {
        self.orders_within_30min
    }

    /// Orders pushed late, when the OMS sent it.
    pub fn orders_late(&self) -> Option<u32> {
        self.orders_late
    }

    /// Average push time in minutes; informative only.
    pub fn avg_push_time_minutes(&self) -> Option<Decimal> {
        self.avg_push_time_minutes
    }

    /// The late count the O-score uses: `orders_late` if given, else
    /// `total_orders - orders_within_30min` if given, else unknown.
    pub fn late_orders(&self) -> Option<u32> {
        self.orders_late.or_else(|| {
            self.orders_within_30min
                .map(|w| self.total_orders.saturating_sub(w))
        })
    }

    /// Aggregates raw orders: cancelled orders are left out; an order is on time when pushed
    /// within `max_delay_minutes` of its creation; the rest are late, including orders not
    /// pushed yet that are older than the limit at `now`. Orders not pushed yet and still
    /// within the limit count in the total only.
    pub fn from_raw_orders(
        orders: &[RawOrder],
        max_delay_minutes: u32,
        now: DateTime<Utc>,
    ) -> Self {
        let limit = chrono::Duration::minutes(i64::from(max_delay_minutes));
        let mut total = 0u32;
        let mut within = 0u32;
        let mut late = 0u32;
        let mut push_minutes = Decimal::ZERO;
        let mut pushed = 0u32;
        for order in orders
            .iter()
            .filter(|o| o.status != RawOrderStatus::Cancelled)
        {
            total = total.saturating_add(1);
            match order.pushed_at {
                Some(pushed_at) => {
                    let delay = pushed_at - order.created_at;
                    pushed += 1;
                    push_minutes += Decimal::from(delay.num_seconds().max(0)) / Decimal::from(60);
                    if delay <= limit {
                        within += 1;
                    } else {
                        late += 1;
                    }
                }
                None if now - order.created_at > limit => late += 1,
                None => {}
            }
        }
        let avg =
            (pushed > 0).then(|| crate::decimal::round2(push_minutes / Decimal::from(pushed)));
        Self {
            total_orders: total,
            orders_within_30min: Some(within),
            orders_late: Some(late),
            avg_push_time_minutes: avg,
        }
    }
}

/// Where a raw order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawOrderStatus {
    /// Created, not yet handed to the warehouse.
    Pending,
    /// Handed to the warehouse.
    Pushed,
    /// Shipped or delivered.
    Fulfilled,
    /// Cancelled: left out of the O-score.
    Cancelled,
}

/// One order as the OMS knows it, kept by `order_id` so re-sending it is harmless.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawOrder {
    /// The OMS's order id.
    pub order_id: String,
    /// When the order was created.
    pub created_at: DateTime<Utc>,
    /// When the order was pushed to the warehouse; `None` while it has not been.
    pub pushed_at: Option<DateTime<Utc>>,
    /// Its status.
    pub status: RawOrderStatus,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_count_prefers_orders_late_then_total_minus_within() {
        let both = OrderStats::new(150, Some(140), Some(10), None).unwrap();
        assert_eq!(both.late_orders(), Some(10));
        let within_only = OrderStats::new(150, Some(140), None, None).unwrap();
        assert_eq!(within_only.late_orders(), Some(10));
        let neither = OrderStats::new(150, None, None, None).unwrap();
        assert_eq!(neither.late_orders(), None);
    }

    #[test]
    fn rejects_counts_beyond_total() {
        let err = OrderStats::new(10, Some(8), Some(3), None).unwrap_err();
        assert_eq!(err.errors()[0].field, "orders_late");
        assert!(err.errors()[0]
            .message
            .contains("must not exceed total_orders (10)"));
        assert!(OrderStats::new(10, Some(8), Some(2), None).is_ok());
        let neg = OrderStats::new(10, None, None, Some(Decimal::NEGATIVE_ONE)).unwrap_err();
        assert_eq!(neg.errors()[0].field, "avg_push_time_minutes");
    }

    #[test]
    fn raw_orders_aggregate_by_push_delay() {
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let order = |id: &str, created: &str, pushed: Option<&str>, status| RawOrder {
            order_id: id.into(),
            created_at: t(created),
            pushed_at: pushed.map(t),
            status,
        };
        let orders = vec![
            order(
                "1",
                "2026-02-01T10:00:00Z",
                Some("2026-02-01T10:30:00Z"),
                RawOrderStatus::Pushed,
            ),
            order(
                "2",
                "2026-02-01T10:00:00Z",
                Some("2026-02-01T10:31:00Z"),
                RawOrderStatus::Pushed,
            ),
            order("3", "2026-02-01T10:00:00Z", None, RawOrderStatus::Pending),
            order("4", "2026-02-28T23:50:00Z", None, RawOrderStatus::Pending),
            order("5", "2026-02-01T10:00:00Z", None, RawOrderStatus::Cancelled),
        ];
        let stats = OrderStats::from_raw_orders(&orders, 30, t("2026-03-01T00:00:00Z"));
        assert_eq!(stats.total_orders(), 4);
        assert_eq!(stats.orders_within_30min(), Some(1));
        assert_eq!(stats.orders_late(), Some(2));
        assert_eq!(stats.avg_push_time_minutes(), Some(Decimal::new(3050, 2)));
    }
}
