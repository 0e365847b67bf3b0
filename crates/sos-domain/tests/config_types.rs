//! Config type slugs, bodies, masking of helpdesk secrets and the API row shape.

// Test helpers may panic: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::json;
use sos_domain::config::{
    ConfigBody, ConfigDraft, ConfigId, ConfigKind, ConfigRecord, ConfigType, OScoreConfig,
    MASKED_SECRET,
};

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn slugs_round_trip_and_are_exactly_the_twelve() {
    let slugs: Vec<&str> = ConfigType::ALL.iter().map(|t| t.as_str()).collect();
    assert_eq!(
        slugs,
        [
            "score-weights",
            "tiers",
            "p-score",
            "o-score",
            "t-score",
            "f-score",
            "i-score",
            "surcharge",
            "am-bonus-penalty",
            "am-kpi-weight",
            "grace-period",
            "helpdesk"
        ]
    );
    for t in ConfigType::ALL {
        assert_eq!(t.as_str().parse::<ConfigType>().unwrap(), t);
        assert_eq!(t.to_string(), t.as_str());
        assert_eq!(serde_json::to_value(t).unwrap(), json!(t.as_str()));
        assert_eq!(
            serde_json::from_value::<ConfigType>(json!(t.as_str())).unwrap(),
            t
        );
    }
}

#[test]
fn unknown_slug_lists_the_valid_ones() {
    let err = "score_weights".parse::<ConfigType>().unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with("unknown config type `score_weights`"),
        "{msg}"
    );
    for t in ConfigType::ALL {
        assert!(msg.contains(t.as_str()), "{msg}");
    }
    assert!(serde_json::from_value::<ConfigType>(json!("tier")).is_err());
}

#[test]
fn kinds_and_dates_follow_the_scoring_rules() {
    use ConfigKind::*;
    use ConfigType::*;
    let expect = [
        (ScoreWeights, Keyed, true),
        (Tiers, Set, true),
        (PScore, Keyed, false),
        (OScore, Single, true),
        (TScore, Set, true),
        (FScore, Set, true),
        (IScore, Single, true),
        (Surcharge, Rules, true),
        (AmBonusPenalty, Set, true),
        (AmKpiWeight, Set, true),
        (GracePeriod, Single, true),
        (Helpdesk, Keyed, false),
    ];
    for (t, kind, dated) in expect {
        assert_eq!((t.kind(), t.has_effective_dates()), (kind, dated), "{t}");
    }
}

fn helpdesk_draft() -> ConfigDraft {
    ConfigDraft::parse(
        ConfigType::Helpdesk,
        &json!({"country_code": "VN", "helpdesk_url": "https://hd.example.vn",
                "api_key": "key-123", "api_secret": "secret-456"}),
    )
    .unwrap()
}

fn at(h: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 2, h, 0, 0).unwrap()
}

#[test]
fn helpdesk_secrets_are_masked_in_json_records_and_debug() {
    let draft = helpdesk_draft();
    let raw = draft.body.to_json();
    assert_eq!(raw["api_key"], json!("key-123"));
    assert_eq!(raw["api_secret"], json!("secret-456"));
    let masked = draft.body.to_masked_json();
    assert_eq!(masked["api_key"], json!(MASKED_SECRET));
    assert_eq!(masked["api_secret"], json!(MASKED_SECRET));
    assert_eq!(masked["helpdesk_url"], json!("https://hd.example.vn"));
    assert_eq!(draft.body.masked().to_json(), masked);

    let record = ConfigRecord::new(ConfigId(9), draft.clone(), at(3), "ops-key");
    let row = record.to_json();
    assert_eq!(row["api_key"], json!("********"));
    assert_eq!(row["api_secret"], json!("********"));
    assert_eq!(serde_json::to_value(&record).unwrap(), row);
    let debug = format!("{record:?} {draft:?}");
    assert!(
        !debug.contains("key-123") && !debug.contains("secret-456"),
        "{debug}"
    );
    // Non-secret bodies are unchanged by masking.
    let o = ConfigBody::OScore(OScoreConfig::default());
    assert_eq!(o.masked(), o);
}

#[test]
fn record_json_is_the_api_row_shape() {
    let draft = ConfigDraft::parse(
        ConfigType::ScoreWeights,
        &json!({"score_component": "o_score", "weight_pct": 20.5, "effective_from": "2026-01-01"}),
    )
    .unwrap();
    let mut record = ConfigRecord::new(ConfigId(4), draft, at(1), "admin");
    record.updated_at = at(2);
    record.updated_by = "ops".to_owned();
    assert_eq!(
        record.to_json(),
        json!({
            "id": 4, "is_active": true,
            "score_component": "o_score", "weight_pct": 20.5, "max_points": 100,
            "effective_from": "2026-01-01", "effective_to": null,
            "created_at": "2026-01-02T01:00:00Z", "updated_at": "2026-01-02T02:00:00Z",
            "created_by": "admin", "updated_by": "ops"
        })
    );
    // Undated types carry no effective dates.
    let hd = ConfigRecord::new(ConfigId(5), helpdesk_draft(), at(1), "admin").to_json();
    assert!(hd.get("effective_from").is_none() && hd.get("effective_to").is_none());
    assert_eq!(hd["timezone"], json!("Asia/Ho_Chi_Minh"));
}

#[test]
fn record_body_key_and_draft() {
    let record = ConfigRecord::new(ConfigId(5), helpdesk_draft(), at(1), "admin");
    assert_eq!(record.config_type, ConfigType::Helpdesk);
    assert_eq!(record.body.key().as_deref(), Some("VN"));
    assert_eq!(record.draft(), helpdesk_draft());
    assert!(record.is_active);
    assert_eq!(
        (record.created_by.as_str(), record.created_at),
        ("admin", record.updated_at)
    );
}

#[test]
fn is_effective_on_boundaries() {
    let draft = ConfigDraft {
        effective_from: Some(date("2026-02-01")),
        effective_to: Some(date("2026-02-28")),
        body: ConfigBody::OScore(OScoreConfig::default()),
    };
    let mut r = ConfigRecord::new(ConfigId(1), draft, at(0), "t");
    assert!(!r.is_effective_on(date("2026-01-31")));
    assert!(r.is_effective_on(date("2026-02-01")));
    assert!(r.is_effective_on(date("2026-02-28")));
    assert!(!r.is_effective_on(date("2026-03-01")));
    r.effective_to = None;
    assert!(r.is_effective_on(date("2099-12-31")));
    r.is_active = false;
    assert!(!r.is_effective_on(date("2026-02-15")));
    // Undated types only need to be active.
    let mut hd = ConfigRecord::new(ConfigId(2), helpdesk_draft(), at(0), "t");
    assert!(hd.is_effective_on(date("1999-01-01")));
    hd.is_active = false;
    assert!(!hd.is_effective_on(date("2026-01-01")));
}
