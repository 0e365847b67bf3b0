//! Master data (sellers, campaigns, AMs), API keys and the audit log.

use crate::{fixtures::*, Ports};
use sos_app::{MasterError, Sos};
use sos_domain::{
    inputs::CampaignType,
    master::{AccountManager, NewAccountManager, Seller, SellerStatus},
    SellerCode,
};
use sos_ports::{AuditEntry, PageRequest, Scope, SellerFilter, StoreError};

fn conflict<T: std::fmt::Debug>(result: Result<T, StoreError>, what: &str) {
    match result {
        Err(StoreError::Conflict(_)) => {}
        other => panic!("{what}: expected Conflict, got {other:?}"),
    }
}

fn not_found<T: std::fmt::Debug>(result: Result<T, StoreError>, what: &str) {
    match result {
        Err(StoreError::NotFound) => {}
        other => panic!("{what}: expected NotFound, got {other:?}"),
    }
}

/// Sellers: created once per code, only with an existing AM; updates replace the fields and
/// keep the creator; failed writes change nothing.
pub fn sellers_create_update_and_conflicts<P: Ports>(store: P) {
    store.create_am(&am(1), ACTOR).unwrap();
    let s = seller("SEL001", Some(1));
    let created = store.create_seller(&s, "alice").unwrap();
    assert_eq!(created.seller, s);
    assert_eq!(
        (created.created_by.as_str(), created.updated_by.as_str()),
        ("alice", "alice")
    );
    assert_eq!(store.get_seller(&s.seller_code).unwrap().seller, s);

    let mut dup = seller("SEL001", None);
    dup.company_name = "Someone else".to_owned();
    conflict(store.create_seller(&dup, "alice"), "a taken code");
    assert_eq!(
        store.get_seller(&s.seller_code).unwrap().seller,
        s,
        "the first seller stays"
    );

    conflict(
        store.create_seller(&seller("SEL002", Some(99)), "alice"),
        "an unknown AM",
    );
    not_found(
        store.get_seller(&code("SEL002")),
        "the seller refused for its AM",
    );
    not_found(store.get_seller(&code("NOPE")), "an unknown seller");

    let no_am = seller("SEL003", None);
    assert_eq!(store.create_seller(&no_am, "alice").unwrap().seller, no_am);

    let mut changed = s.clone();
    changed.company_name = "Renamed Ltd".to_owned();
    changed.status = SellerStatus::Suspended;
    changed.warehouse_id = None;
    changed.am_id = None;
    let updated = store.update_seller(&changed, "bob").unwrap();
    assert_eq!(updated.seller, changed);
    assert_eq!(
        (updated.created_by.as_str(), updated.updated_by.as_str()),
        ("alice", "bob")
    );
    assert_eq!(store.get_seller(&s.seller_code).unwrap().seller, changed);

    let mut bad_am = changed.clone();
    bad_am.am_id = Some(am_id(99));
    conflict(
        store.update_seller(&bad_am, "bob"),
        "an update to an unknown AM",
    );
    assert_eq!(store.get_seller(&s.seller_code).unwrap().seller, changed);
    not_found(
        store.update_seller(&seller("SEL404", None), "bob"),
        "an update of an unknown seller",
    );

    // Through the use case, deactivation keeps the seller as terminated and is audited.
    let sos = Sos::new(store.clone());
    let terminated = sos.deactivate_seller(&code("SEL003"), "carol").unwrap();
    assert_eq!(terminated.seller.status, SellerStatus::Terminated);
    assert_eq!(
        store.get_seller(&code("SEL003")).unwrap().seller.status,
        SellerStatus::Terminated
    );
    let audit = store
        .list_audit(Some("seller".into()), Some("SEL003".into()), 10)
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(
        (audit[0].action.as_str(), audit[0].actor.as_str()),
        ("deactivate", "carol")
    );
}

/// The seller listing: ordered by code, each filter alone and combined, case-insensitive search
/// on code and company name (wildcards taken literally), and paging with the total.
pub fn seller_listing_filters_and_pages<P: Ports>(store: P) {
    store.create_am(&am(1), ACTOR).unwrap();
    store.create_am(&am(2), ACTOR).unwrap();
    let make =
        |c: &str, company: &str, am: Option<i64>, status: SellerStatus, wh: Option<&str>| Seller {
            company_name: company.to_owned(),
            status,
            warehouse_id: wh.map(str::to_owned),
            ..seller(c, am)
        };
    // Created out of order: the listing sorts.
    for s in [
        make(
            "SEL010",
            "Delta Home",
            Some(2),
            SellerStatus::Terminated,
            Some("WH2"),
        ),
        make(
            "SEL003",
            "alpha beauty",
            Some(2),
            SellerStatus::Active,
            Some("WH2"),
        ),
        make(
            "SEL001",
            "Alpha Trading",
            Some(1),
            SellerStatus::Active,
            Some("WH1"),
        ),
        make(
            "SEL002",
            "Beta Foods",
            Some(1),
            SellerStatus::Suspended,
            Some("WH1"),
        ),
        make(
            "SEL004",
            "Sale 100% Off_Shop",
            None,
            SellerStatus::Active,
            None,
        ),
        make(
            "SEL020",
            "CÔNG TY ĐỨC ANH",
            Some(1),
            SellerStatus::Suspended,
            Some("WH9"),
        ),
    ] {
        store.create_seller(&s, ACTOR).unwrap();
    }
    let list = |filter: SellerFilter, page: u32, limit: u32| {
        let p = store
            .list_sellers(&filter, PageRequest { page, limit })
            .unwrap();
        assert_eq!((p.page, p.limit), (page, limit));
        (
            p.items
                .iter()
                .map(|r| r.seller.seller_code.clone())
                .collect::<Vec<SellerCode>>(),
            p.total,
        )
    };
    let all = |filter: SellerFilter| list(filter, 1, 50);
    let search = |text: &str| SellerFilter {
        search: Some(text.to_owned()),
        ..SellerFilter::default()
    };

    assert_eq!(
        all(SellerFilter::default()),
        (
            codes(&["SEL001", "SEL002", "SEL003", "SEL004", "SEL010", "SEL020"]),
            6
        )
    );
    let status = |s| SellerFilter {
        status: Some(s),
        ..SellerFilter::default()
    };
    assert_eq!(
        all(status(SellerStatus::Active)),
        (codes(&["SEL001", "SEL003", "SEL004"]), 3)
    );
    assert_eq!(
        all(status(SellerStatus::Suspended)),
        (codes(&["SEL002", "SEL020"]), 2)
    );
    assert_eq!(
        all(status(SellerStatus::Terminated)),
        (codes(&["SEL010"]), 1)
    );
    let by_am = |id| SellerFilter {
        am_id: Some(am_id(id)),
        ..SellerFilter::default()
    };
    assert_eq!(all(by_am(1)), (codes(&["SEL001", "SEL002", "SEL020"]), 3));
    assert_eq!(all(by_am(2)), (codes(&["SEL003", "SEL010"]), 2));
    assert_eq!(
        all(SellerFilter {
            warehouse_id: Some("WH2".into()),
            ..SellerFilter::default()
        }),
        (codes(&["SEL003", "SEL010"]), 2)
    );
    assert_eq!(
        all(search("ALPHA")),
        (codes(&["SEL001", "SEL003"]), 2),
        "company name, any case"
    );
    assert_eq!(
        all(search("sel00")),
        (codes(&["SEL001", "SEL002", "SEL003", "SEL004"]), 4),
        "code, any case"
    );
    assert_eq!(all(search("L01")), (codes(&["SEL010"]), 1));
    assert_eq!(all(search("100%")), (codes(&["SEL004"]), 1));
    assert_eq!(all(search("%")), (codes(&["SEL004"]), 1), "% is literal");
    assert_eq!(all(search("_")), (codes(&["SEL004"]), 1), "_ is literal");
    assert_eq!(all(search("nothing like this")), (vec![], 0));
    // Case-insensitive beyond ASCII: Vietnamese company names are the common case.
    assert_eq!(
        all(search("đức anh")),
        (codes(&["SEL020"]), 1),
        "non-ASCII letters, any case"
    );
    assert_eq!(all(search("Công")), (codes(&["SEL020"]), 1));
    assert_eq!(
        all(SellerFilter {
            status: Some(SellerStatus::Active),
            am_id: Some(am_id(2)),
            search: Some("Beauty".into()),
            warehouse_id: Some("WH2".into()),
        }),
        (codes(&["SEL003"]), 1)
    );

    assert_eq!(
        list(SellerFilter::default(), 1, 2),
        (codes(&["SEL001", "SEL002"]), 6)
    );
    assert_eq!(
        list(SellerFilter::default(), 2, 2),
        (codes(&["SEL003", "SEL004"]), 6)
    );
    assert_eq!(
        list(SellerFilter::default(), 3, 2),
        (codes(&["SEL010", "SEL020"]), 6)
    );
    assert_eq!(list(SellerFilter::default(), 4, 2), (vec![], 6));
    assert_eq!(
        list(status(SellerStatus::Active), 2, 2),
        (codes(&["SEL004"]), 3)
    );
}

/// Campaigns: unique codes, updates of fields and the active flag, listing newest start first.
pub fn campaigns_crud<P: Ports>(store: P) {
    let feb_c = feb_campaign();
    let created = store.create_campaign(&feb_c, "alice").unwrap();
    assert_eq!(created.campaign, feb_c);
    assert!(created.is_active);
    assert_eq!(
        (created.created_by.as_str(), created.updated_by.as_str()),
        ("alice", "alice")
    );
    let mar_c = campaign(
        "CAMP-2026-03",
        CampaignType::MiniCampaign,
        "2026-03-05",
        "2026-03-06",
    );
    let jan_c = campaign(
        "CAMP-2026-01",
        CampaignType::MajorCampaign,
        "2026-01-10",
        "2026-01-12",
    );
    store.create_campaign(&mar_c, "alice").unwrap();
    store.create_campaign(&jan_c, "alice").unwrap();
    let dup = campaign(
        CAMPAIGN,
        CampaignType::MiniCampaign,
        "2026-05-01",
        "2026-05-02",
    );
    conflict(
        store.create_campaign(&dup, "alice"),
        "a taken campaign code",
    );
    assert_eq!(
        store
            .get_campaign(&campaign_code(CAMPAIGN))
            .unwrap()
            .campaign,
        feb_c
    );
    not_found(
        store.get_campaign(&campaign_code("CAMP-X")),
        "an unknown campaign",
    );

    let list = |include_inactive: bool, page: u32, limit: u32| {
        let p = store
            .list_campaigns(include_inactive, PageRequest { page, limit })
            .unwrap();
        (
            p.items
                .iter()
                .map(|c| c.campaign.code().to_string())
                .collect::<Vec<_>>(),
            p.total,
        )
    };
    assert_eq!(
        list(false, 1, 10),
        (
            vec![
                "CAMP-2026-03".to_owned(),
                CAMPAIGN.into(),
                "CAMP-2026-01".into()
            ],
            3
        )
    );

    let renamed = sos_domain::inputs::Campaign::new(
        campaign_code("CAMP-2026-01"),
        "Tet sale".to_owned(),
        CampaignType::MiniCampaign,
        date("2026-01-11"),
        date("2026-01-13"),
    )
    .unwrap();
    let updated = store.update_campaign(&renamed, false, "bob").unwrap();
    assert_eq!(updated.campaign, renamed);
    assert!(!updated.is_active);
    assert_eq!(
        (updated.created_by.as_str(), updated.updated_by.as_str()),
        ("alice", "bob")
    );
    let fetched = store.get_campaign(&campaign_code("CAMP-2026-01")).unwrap();
    assert_eq!(
        (fetched.campaign, fetched.is_active),
        (renamed.clone(), false)
    );

    assert_eq!(
        list(false, 1, 10),
        (vec!["CAMP-2026-03".to_owned(), CAMPAIGN.into()], 2)
    );
    assert_eq!(
        list(true, 1, 10),
        (
            vec![
                "CAMP-2026-03".to_owned(),
                CAMPAIGN.into(),
                "CAMP-2026-01".into()
            ],
            3
        )
    );
    assert_eq!(list(true, 2, 2), (vec!["CAMP-2026-01".to_owned()], 3));

    store.update_campaign(&renamed, true, "bob").unwrap();
    assert!(
        store
            .get_campaign(&campaign_code("CAMP-2026-01"))
            .unwrap()
            .is_active
    );
    let ghost = campaign(
        "CAMP-X",
        CampaignType::MajorCampaign,
        "2026-01-01",
        "2026-01-02",
    );
    not_found(
        store.update_campaign(&ghost, true, "bob"),
        "an update of an unknown campaign",
    );
}

/// Account managers: unique ids, updates, the active filter and paging by id.
pub fn account_managers_crud<P: Ports>(store: P) {
    assert_eq!(store.create_am(&am(2), ACTOR).unwrap(), am(2));
    store.create_am(&am(1), ACTOR).unwrap();
    store.create_am(&am(3), ACTOR).unwrap();
    conflict(
        store.create_am(
            &AccountManager {
                name: "Other".into(),
                ..am(1)
            },
            ACTOR,
        ),
        "a taken AM id",
    );
    assert_eq!(store.get_am(am_id(1)).unwrap(), am(1));
    not_found(store.get_am(am_id(9)), "an unknown AM");

    let changed = AccountManager {
        name: "Renamed".into(),
        email: None,
        is_active: false,
        ..am(2)
    };
    assert_eq!(store.update_am(&changed, ACTOR).unwrap(), changed);
    assert_eq!(store.get_am(am_id(2)).unwrap(), changed);
    not_found(store.update_am(&am(9), ACTOR), "an update of an unknown AM");

    let list = |include_inactive: bool, page: u32, limit: u32| {
        let p = store
            .list_ams(include_inactive, PageRequest { page, limit })
            .unwrap();
        (
            p.items.iter().map(|a| a.id.get()).collect::<Vec<_>>(),
            p.total,
        )
    };
    assert_eq!(list(false, 1, 10), (vec![1, 3], 2));
    assert_eq!(list(true, 1, 10), (vec![1, 2, 3], 3));
    assert_eq!(list(true, 2, 2), (vec![3], 3));
    let loaded: Vec<i64> = store
        .load_am_inputs(feb())
        .unwrap()
        .iter()
        .map(|a| a.am.id.get())
        .collect();
    assert_eq!(loaded, [1, 3], "inactive AMs are not scored");
}

/// An AM registered without an id gets one above the highest in use (1 in an empty store,
/// deactivated AMs included), also when several are registered at once; a given id is
/// honoured and a taken one is a conflict.
pub fn account_managers_without_an_id_get_the_next_free_one<P: Ports>(store: P) {
    let sos = Sos::new(store.clone());
    let new = |id: Option<i64>, name: &str| NewAccountManager {
        id: id.map(am_id),
        name: name.to_owned(),
        email: None,
        is_active: true,
    };
    assert_eq!(store.highest_am_id().unwrap(), None);
    let first = sos.create_am(new(None, "First"), ACTOR).unwrap();
    assert_eq!(first.id, am_id(1));
    assert_eq!(store.get_am(am_id(1)).unwrap(), first);
    assert_eq!(
        sos.create_am(new(Some(40), "Forty"), ACTOR).unwrap().id,
        am_id(40)
    );
    assert_eq!(store.highest_am_id().unwrap(), Some(am_id(40)));
    assert_eq!(
        sos.create_am(new(None, "Next"), ACTOR).unwrap().id,
        am_id(41)
    );
    sos.deactivate_am(am_id(41), ACTOR).unwrap();
    assert_eq!(
        sos.create_am(new(None, "After"), ACTOR).unwrap().id,
        am_id(42)
    );

    // Writers racing for the next id each get their own.
    let racing: Vec<i64> = std::thread::scope(|scope| {
        let writers: Vec<_> = (0..4)
            .map(|w| {
                let sos = Sos::new(store.clone());
                scope.spawn(move || {
                    (0..3)
                        .map(|i| {
                            let name = format!("Writer {w} AM {i}");
                            sos.create_am(new(None, &name), ACTOR).unwrap().id.get()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        writers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    let mut ids = racing.clone();
    ids.sort_unstable();
    assert_eq!(ids, (43..=54).collect::<Vec<_>>(), "{racing:?}");

    assert!(matches!(
        sos.create_am(new(Some(40), "Again"), ACTOR),
        Err(MasterError::Conflict(_))
    ));
    sos.create_am(new(Some(i64::MAX), "Last"), ACTOR).unwrap();
    assert!(matches!(
        sos.create_am(new(None, "No id left"), ACTOR),
        Err(MasterError::Conflict(_))
    ));
}

/// API keys: unique names and prefixes, lookup by prefix (revoked too), revoke once, touch,
/// listing by name, and the count.
pub fn api_keys_lifecycle<P: Ports>(store: P) {
    assert_eq!(store.count_keys().unwrap(), 0);
    let admin = store
        .create_key("admin", "sos_aaaa", "hash-a", &[Scope::Admin])
        .unwrap();
    assert!(admin.id > 0);
    assert_eq!(
        (
            admin.name.as_str(),
            admin.prefix.as_str(),
            admin.key_hash.as_str()
        ),
        ("admin", "sos_aaaa", "hash-a")
    );
    assert_eq!(admin.scopes, [Scope::Admin]);
    assert_eq!((admin.last_used_at, admin.revoked_at), (None, None));
    conflict(
        store.create_key("admin", "sos_bbbb", "hash-b", &[]),
        "a taken key name",
    );
    conflict(
        store.create_key("other", "sos_aaaa", "hash-b", &[]),
        "a taken key prefix",
    );
    assert_eq!(store.count_keys().unwrap(), 1);

    let scopes = [Scope::ScoresRead, Scope::ConfigRead, Scope::SyncWrite];
    let reader = store
        .create_key("reader", "sos_cccc", "hash-c", &scopes)
        .unwrap();
    assert_ne!(reader.id, admin.id);
    let found = store.find_key_by_prefix("sos_cccc").unwrap().unwrap();
    assert_eq!(
        (found.id, found.name.as_str(), found.key_hash.as_str()),
        (reader.id, "reader", "hash-c")
    );
    assert_eq!(found.scopes, scopes);
    assert!(store.find_key_by_prefix("sos_zzzz").unwrap().is_none());
    assert_eq!(
        store
            .list_keys()
            .unwrap()
            .iter()
            .map(|k| k.name.as_str())
            .collect::<Vec<_>>(),
        ["admin", "reader"]
    );

    let t1 = at("2026-02-01T10:00:00Z");
    let t2 = at("2026-02-01T11:00:00Z");
    store.touch_key(reader.id, t1).unwrap();
    assert_eq!(
        store
            .find_key_by_prefix("sos_cccc")
            .unwrap()
            .unwrap()
            .last_used_at,
        Some(t1)
    );
    store.touch_key(reader.id, t2).unwrap();
    assert_eq!(
        store
            .find_key_by_prefix("sos_cccc")
            .unwrap()
            .unwrap()
            .last_used_at,
        Some(t2)
    );
    // Uses are recorded concurrently: a late-arriving older use never moves last_used_at back.
    store.touch_key(reader.id, t1).unwrap();
    assert_eq!(
        store
            .find_key_by_prefix("sos_cccc")
            .unwrap()
            .unwrap()
            .last_used_at,
        Some(t2)
    );
    assert_eq!(
        store
            .find_key_by_prefix("sos_aaaa")
            .unwrap()
            .unwrap()
            .last_used_at,
        None
    );

    let revoked = store.revoke_key("reader").unwrap();
    let when = revoked.revoked_at.expect("revoked_at is set");
    assert_eq!(revoked.id, reader.id);
    let found = store.find_key_by_prefix("sos_cccc").unwrap().unwrap();
    assert_eq!(found.revoked_at, Some(when), "a revoked key is still found");
    assert_eq!(
        store.revoke_key("reader").unwrap().revoked_at,
        Some(when),
        "revoking again keeps the first time"
    );
    assert!(store
        .find_key_by_prefix("sos_aaaa")
        .unwrap()
        .unwrap()
        .revoked_at
        .is_none());
    not_found(store.revoke_key("nobody"), "revoking an unknown key");
    assert_eq!(store.count_keys().unwrap(), 2, "revoked keys still count");
}

fn entry(entity: &str, entity_id: &str, action: &str, at_text: &str, n: i64) -> AuditEntry {
    AuditEntry {
        id: 0,
        at: at(at_text),
        actor: "alice".into(),
        entity: entity.into(),
        entity_id: entity_id.into(),
        action: action.into(),
        old_value: (action != "create").then(|| serde_json::json!({"n": n - 1, "name": "before"})),
        new_value: Some(serde_json::json!({"n": n, "name": "after", "tags": ["a", "b"]})),
    }
}

/// The audit log: appended entries come back newest first, filtered by entity and id, limited,
/// with every field as written.
pub fn audit_log_appends_and_lists_newest_first<P: Ports>(store: P) {
    assert!(store.list_audit(None, None, 10).unwrap().is_empty());
    let written = [
        entry("seller", "SEL001", "create", "2026-02-01T10:00:00Z", 1),
        entry("config:tiers", "5", "deactivate", "2026-02-01T10:00:01Z", 2),
        entry("seller", "SEL001", "update", "2026-02-01T10:00:02Z", 3),
        entry("seller", "SEL002", "create", "2026-02-01T10:00:03Z", 4),
    ];
    for e in &written {
        store.append_audit(e).unwrap();
    }
    let strip = |v: Vec<AuditEntry>| {
        let ids: Vec<i64> = v.iter().map(|e| e.id).collect();
        assert!(ids.iter().all(|id| *id > 0), "stored entries have ids");
        assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
        v.into_iter()
            .map(|e| AuditEntry { id: 0, ..e })
            .collect::<Vec<_>>()
    };
    let rev = |idx: &[usize]| idx.iter().map(|i| written[*i].clone()).collect::<Vec<_>>();
    assert_eq!(
        strip(store.list_audit(None, None, 10).unwrap()),
        rev(&[3, 2, 1, 0])
    );
    assert_eq!(
        strip(store.list_audit(None, None, 2).unwrap()),
        rev(&[3, 2])
    );
    assert_eq!(
        strip(store.list_audit(Some("seller".into()), None, 10).unwrap()),
        rev(&[3, 2, 0])
    );
    assert_eq!(
        strip(
            store
                .list_audit(Some("seller".into()), Some("SEL001".into()), 10)
                .unwrap()
        ),
        rev(&[2, 0])
    );
    assert_eq!(
        strip(
            store
                .list_audit(Some("seller".into()), Some("SEL001".into()), 1)
                .unwrap()
        ),
        rev(&[2])
    );
    assert_eq!(
        strip(store.list_audit(None, Some("5".into()), 10).unwrap()),
        rev(&[1])
    );
    assert!(store
        .list_audit(Some("campaign".into()), None, 10)
        .unwrap()
        .is_empty());
}
