//! Config rows: soft delete, idempotent seeding that never overwrites, effective dates.

use crate::{fixtures::*, Ports};
use chrono::NaiveDate;
use sos_app::Sos;
use sos_domain::config::{
    default_config_drafts, ConfigBody, ConfigDraft, ConfigId, ConfigType, OScoreConfig,
    DEFAULT_EFFECTIVE_FROM,
};
use sos_ports::StoreError;

fn o_score_draft(max_delay_minutes: u32, from: &str, to: Option<&str>) -> ConfigDraft {
    ConfigDraft {
        effective_from: Some(date(from)),
        effective_to: to.map(date),
        body: ConfigBody::OScore(OScoreConfig {
            max_delay_minutes,
            ..OScoreConfig::default()
        }),
    }
}

fn max_delay(body: &ConfigBody) -> u32 {
    match body {
        ConfigBody::OScore(o) => o.max_delay_minutes,
        other => panic!("not an o-score row: {other:?}"),
    }
}

fn ids(rows: &[sos_domain::config::ConfigRecord]) -> Vec<ConfigId> {
    rows.iter().map(|r| r.id).collect()
}

/// Deactivating keeps the row (inactive) for listings that ask and for `get_config`; seeding
/// inserts the defaults of types with no row at all, is idempotent and never overwrites or
/// revives a user's rows.
pub fn config_rows_are_soft_deleted_and_seeding_never_overwrites<P: Ports>(store: P) {
    let user = store
        .create_config(&o_score_draft(45, "2026-01-01", None), "alice")
        .unwrap();
    assert!(user.is_active);
    assert_eq!(user.config_type, ConfigType::OScore);
    assert_eq!(
        (user.created_by.as_str(), user.updated_by.as_str()),
        ("alice", "alice")
    );
    assert_eq!(user.effective_from, Some(date("2026-01-01")));
    assert_eq!(store.get_config(ConfigType::OScore, user.id).unwrap(), user);

    // Seeding skips o-score, which already has a row, and inserts every other default.
    let defaults = default_config_drafts();
    let expected = defaults
        .iter()
        .filter(|d| d.config_type() != ConfigType::OScore)
        .count();
    assert_eq!(seed_config(&store), expected);
    assert_eq!(seed_config(&store), 0, "seeding twice inserts nothing");
    let o_rows = store.list_config(ConfigType::OScore, true).unwrap();
    assert_eq!(
        o_rows,
        std::slice::from_ref(&user),
        "the user's o-score row is neither overwritten nor joined"
    );
    assert_eq!(store.all_config().unwrap().len(), expected + 1);

    // Each type holds exactly its defaults, in id order, as seeded.
    for t in ConfigType::ALL
        .into_iter()
        .filter(|t| *t != ConfigType::OScore)
    {
        let rows = store.list_config(t, false).unwrap();
        let want: Vec<&ConfigDraft> = defaults.iter().filter(|d| d.config_type() == t).collect();
        assert_eq!(rows.len(), want.len(), "{t} rows");
        for (row, draft) in rows.iter().zip(&want) {
            assert_eq!(&row.draft(), *draft, "{t} row {}", row.id);
            assert_eq!(row.created_by, "system");
            if t.has_effective_dates() {
                assert_eq!(row.effective_from, Some(DEFAULT_EFFECTIVE_FROM));
            }
        }
        let mut sorted = ids(&rows);
        sorted.sort();
        assert_eq!(ids(&rows), sorted, "{t} rows are ordered by id");
    }

    // Soft delete.
    let tiers = store.list_config(ConfigType::Tiers, false).unwrap();
    let gone = tiers[1].clone();
    let deactivated = store
        .deactivate_config(ConfigType::Tiers, gone.id, "bob")
        .unwrap();
    assert!(!deactivated.is_active);
    assert_eq!(deactivated.updated_by, "bob");
    assert_eq!(deactivated.body, gone.body);
    assert_eq!(deactivated.created_by, gone.created_by);
    let active = store.list_config(ConfigType::Tiers, false).unwrap();
    assert_eq!(active.len(), tiers.len() - 1);
    assert!(!ids(&active).contains(&gone.id));
    let all = store.list_config(ConfigType::Tiers, true).unwrap();
    assert_eq!(
        ids(&all),
        ids(&tiers),
        "inactive rows are listed when asked, in id order"
    );
    assert!(!all.iter().find(|r| r.id == gone.id).unwrap().is_active);
    let fetched = store.get_config(ConfigType::Tiers, gone.id).unwrap();
    assert!(!fetched.is_active);
    assert_eq!(fetched.body, gone.body);
    assert!(
        !store
            .all_config()
            .unwrap()
            .iter()
            .find(|r| r.id == gone.id)
            .unwrap()
            .is_active
    );

    // Deactivating every row of a type does not make seeding revive its defaults.
    store
        .deactivate_config(ConfigType::OScore, user.id, "bob")
        .unwrap();
    assert_eq!(seed_config(&store), 0);
    assert!(store
        .list_config(ConfigType::OScore, false)
        .unwrap()
        .is_empty());
    assert_eq!(
        store.list_config(ConfigType::OScore, true).unwrap().len(),
        1
    );

    // Update replaces the fields and keeps id, type and creator.
    let updated = store
        .update_config(
            ConfigType::OScore,
            user.id,
            &o_score_draft(50, "2026-02-01", Some("2026-12-31")),
            "carol",
        )
        .unwrap();
    assert_eq!(updated.id, user.id);
    assert_eq!(max_delay(&updated.body), 50);
    assert_eq!(updated.effective_from, Some(date("2026-02-01")));
    assert_eq!(updated.effective_to, Some(date("2026-12-31")));
    assert_eq!(
        (updated.created_by.as_str(), updated.updated_by.as_str()),
        ("alice", "carol")
    );
    assert_eq!(
        store.get_config(ConfigType::OScore, user.id).unwrap().body,
        updated.body
    );

    // A row is found only under its own type.
    assert!(matches!(
        store.get_config(ConfigType::IScore, user.id),
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.get_config(ConfigType::OScore, ConfigId(987_654)),
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.deactivate_config(ConfigType::Tiers, user.id, "bob"),
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.update_config(
            ConfigType::OScore,
            ConfigId(987_654),
            &o_score_draft(1, "2026-01-01", None),
            "bob"
        ),
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        max_delay(&store.get_config(ConfigType::OScore, user.id).unwrap().body),
        50
    );
}

/// `Sos::resolve_config` on stored rows: the row effective on the period's last day with the
/// latest `effective_from` wins; `effective_to` is inclusive; inactive rows never count.
pub fn effective_dates_pick_the_config_of_a_period<P: Ports>(store: P) {
    seed_config(&store);
    let sos = Sos::new(store.clone());
    let default_row = store
        .list_config(ConfigType::OScore, false)
        .unwrap()
        .remove(0);
    let o_of = |p| {
        let resolved = sos.resolve_config(p).unwrap();
        (
            resolved.o_score.id,
            resolved.o_score.value.max_delay_minutes,
        )
    };
    assert_eq!(o_of(feb()), (Some(default_row.id), 30));

    // Effective from the last day of February: used for February.
    let last_day = store
        .create_config(&o_score_draft(40, "2026-02-28", None), ACTOR)
        .unwrap();
    assert_eq!(o_of(feb()), (Some(last_day.id), 40));
    assert_eq!(o_of(period("2026-01")), (Some(default_row.id), 30));
    assert!(sos
        .resolve_config(feb())
        .unwrap()
        .config_ids()
        .contains(&last_day.id));
    assert!(!sos
        .resolve_config(feb())
        .unwrap()
        .config_ids()
        .contains(&default_row.id));

    // Effective from 1 March: not for February, for March.
    let march = store
        .create_config(&o_score_draft(50, "2026-03-01", None), ACTOR)
        .unwrap();
    assert_eq!(o_of(feb()), (Some(last_day.id), 40));
    assert_eq!(o_of(mar()), (Some(march.id), 50));

    // effective_to the day before the period's last day: no longer effective for it.
    store
        .update_config(
            ConfigType::OScore,
            last_day.id,
            &o_score_draft(40, "2026-02-01", Some("2026-02-27")),
            ACTOR,
        )
        .unwrap();
    assert_eq!(o_of(feb()), (Some(default_row.id), 30));
    // effective_to on the last day itself: effective (the bound is inclusive).
    store
        .update_config(
            ConfigType::OScore,
            last_day.id,
            &o_score_draft(40, "2026-02-01", Some("2026-02-28")),
            ACTOR,
        )
        .unwrap();
    assert_eq!(o_of(feb()), (Some(last_day.id), 40));

    // Deactivating the March row: March falls back past the ended February row to the default.
    store
        .deactivate_config(ConfigType::OScore, march.id, ACTOR)
        .unwrap();
    assert_eq!(o_of(mar()), (Some(default_row.id), 30));
    assert_eq!(o_of(feb()), (Some(last_day.id), 40));

    // Same effective_from: the highest id wins.
    let twin = store
        .create_config(&o_score_draft(41, "2026-02-01", None), ACTOR)
        .unwrap();
    assert!(twin.id > last_day.id);
    assert_eq!(o_of(feb()), (Some(twin.id), 41));
    assert_eq!(o_of(mar()), (Some(twin.id), 41));

    // The effective_on listing agrees.
    let on = |d: NaiveDate| ids(&sos.list_config(ConfigType::OScore, false, Some(d)).unwrap());
    assert_eq!(
        on(date("2026-02-28")),
        [default_row.id, last_day.id, twin.id]
    );
    assert_eq!(on(date("2026-03-01")), [default_row.id, twin.id]);
    assert_eq!(on(date("2026-01-31")), [default_row.id]);
}
