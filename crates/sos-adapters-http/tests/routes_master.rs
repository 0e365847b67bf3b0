//! Master data: sellers, campaigns and account managers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use actix_web::http::Method;
use common::*;
use serde_json::{json, Value};
use sos_ports::Scope;

fn fields(r: &Resp) -> Vec<String> {
    r.json()["details"]
        .as_array()
        .map(|d| {
            d.iter()
                .map(|x| x["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn codes(page: &Value, key: &str) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s[key].to_string().trim_matches('"').to_owned())
        .collect()
}

async fn app_with_ams() -> TestApp {
    let app = TestApp::new().await;
    app.post("/api/account-managers", &am_body())
        .await
        .assert_status(201);
    app.post(
        "/api/account-managers",
        &json!({"id": 2, "name": "Tran Thi B", "email": "b.tran@example.com"}),
    )
    .await
    .assert_status(201);
    app
}

#[actix_web::test]
async fn seller_create_get_update_deactivate() {
    let app = app_with_ams().await;
    let writer = app.key(Scope::MasterWrite).to_owned();
    let reader = app.key(Scope::MasterRead).to_owned();
    let mut body = seller_body("SEL001");
    body["warehouse_id"] = json!("WH-HCM-01");
    let r = app
        .request(Method::POST, "/api/sellers", Some(&writer), Some(&body))
        .await;
    r.assert_status(201);
    let created = r.json();
    assert_eq!(created["seller_code"], "SEL001");
    assert_eq!(created["company_name"], "Acme Cosmetics");
    assert_eq!(created["contract_type"], "B2C");
    assert_eq!(created["country_code"], "VN");
    assert_eq!(created["warehouse_id"], "WH-HCM-01");
    assert_eq!(created["status"], "active");
    assert_eq!(created["onboarded_at"], "2025-06-01");
    assert_eq!(created["am_id"], json!(1));
    assert_eq!(created["created_by"], "key-master-write");
    assert_eq!(created["updated_by"], "key-master-write");

    let r = app
        .request(Method::GET, "/api/sellers/SEL001", Some(&reader), None)
        .await;
    r.assert_status(200);
    assert_eq!(r.json(), created);

    // Update: the full row; the code may be left out of the body.
    let mut changed = body.clone();
    changed.as_object_mut().unwrap().remove("seller_code");
    changed["company_name"] = json!("Acme Cosmetics Vietnam");
    changed["am_id"] = json!(2);
    changed["status"] = json!("suspended");
    let r = app
        .request(
            Method::PUT,
            "/api/sellers/SEL001",
            Some(ADMIN_KEY),
            Some(&changed),
        )
        .await;
    r.assert_status(200);
    let updated = r.json();
    assert_eq!(updated["company_name"], "Acme Cosmetics Vietnam");
    assert_eq!(updated["am_id"], json!(2));
    assert_eq!(updated["status"], "suspended");
    assert_eq!(updated["created_by"], "key-master-write");
    assert_eq!(updated["updated_by"], ADMIN_NAME);
    assert_eq!(updated["created_at"], created["created_at"]);

    // Deactivate: terminated, still readable.
    let r = app
        .request(Method::DELETE, "/api/sellers/SEL001", Some(&writer), None)
        .await;
    r.assert_status(200);
    assert_eq!(r.json()["status"], "terminated");
    let r = app.get("/api/sellers/SEL001").await;
    r.assert_status(200);
    assert_eq!(r.json()["status"], "terminated");
    assert_eq!(r.json()["company_name"], "Acme Cosmetics Vietnam");
    // Not listed by default (active only), listed with status=terminated or all.
    assert_eq!(app.get("/api/sellers").await.json()["total"], json!(0));
    assert_eq!(
        codes(
            &app.get("/api/sellers?status=terminated").await.json(),
            "seller_code"
        ),
        vec!["SEL001"]
    );
    assert_eq!(
        codes(
            &app.get("/api/sellers?status=all").await.json(),
            "seller_code"
        ),
        vec!["SEL001"]
    );
    // Deactivating twice is harmless.
    app.delete("/api/sellers/SEL001").await.assert_status(200);
}

#[actix_web::test]
async fn seller_conflicts_answer_409() {
    let app = app_with_ams().await;
    app.post("/api/sellers", &seller_body("SEL001"))
        .await
        .assert_status(201);
    let r = app.post("/api/sellers", &seller_body("SEL001")).await;
    r.assert_status(409);
    assert_eq!(r.error(), "Seller SEL001 already exists");
    let mut unknown_am = seller_body("SEL002");
    unknown_am["am_id"] = json!(77);
    let r = app.post("/api/sellers", &unknown_am).await;
    r.assert_status(409);
    assert_eq!(r.error(), "Account manager 77 does not exist");
    assert_eq!(app.get("/api/sellers/SEL002").await.status.as_u16(), 404);
    // Moving an existing seller to an unknown AM is refused too, and changes nothing.
    let mut body = seller_body("SEL001");
    body["am_id"] = json!(77);
    let r = app.put("/api/sellers/SEL001", &body).await;
    r.assert_status(409);
    assert_eq!(
        app.get("/api/sellers/SEL001").await.json()["am_id"],
        json!(1)
    );
}

#[actix_web::test]
async fn seller_not_found_and_validation() {
    let app = app_with_ams().await;
    for (method, body) in [
        (Method::GET, None),
        (Method::PUT, Some(seller_body("SEL404"))),
        (Method::DELETE, None),
    ] {
        let r = app
            .request(
                method.clone(),
                "/api/sellers/SEL404",
                Some(ADMIN_KEY),
                body.as_ref(),
            )
            .await;
        r.assert_status(404);
        assert_eq!(
            r.json(),
            json!({"error": "Seller SEL404 not found"}),
            "{method}"
        );
    }
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (json!({"company_name": "No code"}), vec!["seller_code"]),
        (json!({"seller_code": "SEL009"}), vec!["company_name"]),
        (
            json!({"seller_code": "SEL009", "company_name": "  "}),
            vec!["company_name"],
        ),
        (
            json!({"seller_code": "SEL009", "company_name": "X", "country_code": "vn"}),
            vec!["country_code"],
        ),
        (
            json!({"seller_code": "SEL009", "company_name": "X", "status": "frozen"}),
            vec!["status"],
        ),
        (
            json!({"seller_code": "SEL009", "company_name": "X", "onboarded_at": "2025-13-01"}),
            vec!["onboarded_at"],
        ),
        (
            json!({"seller_code": "SEL009", "company_name": "X", "am_id": 0}),
            vec!["am_id"],
        ),
        (
            json!({"seller_code": "SEL009", "company_name": "X", "am_id": "1"}),
            vec!["am_id"],
        ),
        (
            json!({"seller_code": "SEL/009", "company_name": "X"}),
            vec!["seller_code"],
        ),
        (
            json!({"seller_code": " SEL009", "company_name": "X"}),
            vec!["seller_code"],
        ),
        (
            json!({"seller_code": "S".repeat(65), "company_name": "X"}),
            vec!["seller_code"],
        ),
        (
            json!({"seller_code": "SEL009", "company_name": "X", "tier": "Gold"}),
            vec!["tier"],
        ),
        (
            json!({"seller_code": "SEL009", "company_name": "X".repeat(201)}),
            vec!["company_name"],
        ),
    ];
    for (body, expected) in cases {
        let r = app.post("/api/sellers", &body).await;
        r.assert_status(400);
        assert_eq!(fields(&r), expected, "{body}: {}", r.text());
    }
    assert_eq!(
        app.get("/api/sellers?status=all").await.json()["total"],
        json!(0)
    );
    // The code in the path and the body must agree.
    app.post("/api/sellers", &seller_body("SEL001"))
        .await
        .assert_status(201);
    let r = app.put("/api/sellers/SEL001", &seller_body("SEL002")).await;
    r.assert_status(400);
    assert_eq!(fields(&r), vec!["seller_code"]);
}

#[actix_web::test]
async fn seller_list_pages_and_filters() {
    let app = app_with_ams().await;
    for i in 1..=25 {
        let mut body = seller_body(&format!("S{i:03}"));
        body["company_name"] = json!(if i % 5 == 0 {
            format!("Blue Ocean {i}")
        } else {
            format!("Shop {i}")
        });
        body["am_id"] = json!(if i % 2 == 0 { 2 } else { 1 });
        body["warehouse_id"] = json!(if i <= 10 { "WH-HN" } else { "WH-HCM" });
        if i == 3 {
            body["status"] = json!("suspended");
        }
        app.post("/api/sellers", &body).await.assert_status(201);
    }
    let reader = app.key(Scope::MasterRead).to_owned();
    let page1 = app
        .request(Method::GET, "/api/sellers", Some(&reader), None)
        .await;
    page1.assert_status(200);
    let page1 = page1.json();
    assert_eq!(page1["page"], json!(1));
    assert_eq!(page1["limit"], json!(20));
    assert_eq!(
        page1["total"],
        json!(24),
        "suspended sellers are not active"
    );
    assert_eq!(page1["items"].as_array().unwrap().len(), 20);
    let page2 = app.get("/api/sellers?page=2").await.json();
    assert_eq!(page2["items"].as_array().unwrap().len(), 4);
    let mut all: Vec<String> = codes(&page1, "seller_code");
    all.extend(codes(&page2, "seller_code"));
    all.dedup();
    assert_eq!(all.len(), 24, "pages do not overlap");
    assert!(!all.contains(&"S003".to_owned()));
    let page3 = app.get("/api/sellers?page=3").await.json();
    assert_eq!(page3["items"], json!([]));
    assert_eq!(page3["total"], json!(24));
    let small = app.get("/api/sellers?limit=5&page=2").await.json();
    assert_eq!(
        codes(&small, "seller_code"),
        vec!["S007", "S008", "S009", "S010", "S011"]
    );

    assert_eq!(
        codes(
            &app.get("/api/sellers?status=suspended").await.json(),
            "seller_code"
        ),
        vec!["S003"]
    );
    assert_eq!(
        app.get("/api/sellers?status=all").await.json()["total"],
        json!(25)
    );
    let am2 = app.get("/api/sellers?am_id=2&limit=100").await.json();
    assert_eq!(am2["total"], json!(12));
    assert!(am2["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["am_id"] == json!(2)));
    let hn = app
        .get("/api/sellers?warehouse_id=WH-HN&limit=100")
        .await
        .json();
    assert_eq!(
        hn["total"],
        json!(9),
        "S001-S010 without the suspended S003"
    );
    let search = app.get("/api/sellers?search=blue%20ocean").await.json();
    assert_eq!(
        codes(&search, "seller_code"),
        vec!["S005", "S010", "S015", "S020", "S025"]
    );
    let search = app.get("/api/sellers?search=S02").await.json();
    assert_eq!(
        codes(&search, "seller_code"),
        vec!["S020", "S021", "S022", "S023", "S024", "S025"]
    );
    let combined = app
        .get("/api/sellers?search=blue&am_id=1&warehouse_id=WH-HCM")
        .await
        .json();
    assert_eq!(codes(&combined, "seller_code"), vec!["S015", "S025"]);

    for bad in [
        "page=0",
        "limit=0",
        "limit=501",
        "status=frozen",
        "am_id=0",
        "am_id=x",
        "page=-1",
        "sort=name",
    ] {
        let r = app.get(&format!("/api/sellers?{bad}")).await;
        r.assert_status(400);
        assert!(!r.error().is_empty(), "{bad}");
    }
}

#[actix_web::test]
async fn campaign_lifecycle() {
    let app = TestApp::new().await;
    let writer = app.key(Scope::MasterWrite).to_owned();
    let r = app
        .request(
            Method::POST,
            "/api/campaigns",
            Some(&writer),
            Some(&campaign_body()),
        )
        .await;
    r.assert_status(201);
    let created = r.json();
    assert_eq!(created["campaign_code"], "CAMP-2026-02");
    assert_eq!(created["name"], "Valentine 2026");
    assert_eq!(created["campaign_type"], "major_campaign");
    assert_eq!(created["start_date"], "2026-02-14");
    assert_eq!(created["end_date"], "2026-02-15");
    assert_eq!(created["period"], "2026-02");
    assert_eq!(created["is_active"], json!(true));
    assert_eq!(created["created_by"], "key-master-write");

    let r = app.post("/api/campaigns", &campaign_body()).await;
    r.assert_status(409);
    assert_eq!(r.error(), "Campaign CAMP-2026-02 already exists");

    let mini = json!({"campaign_code": "MINI-2026-03", "name": "3.3 sale", "campaign_type": "mini_campaign", "start_date": "2026-03-03", "end_date": "2026-03-03"});
    app.post("/api/campaigns", &mini).await.assert_status(201);
    let list = app
        .request(
            Method::GET,
            "/api/campaigns",
            Some(app.key(Scope::MasterRead)),
            None,
        )
        .await;
    list.assert_status(200);
    let list = list.json();
    assert_eq!(
        codes(&list, "campaign_code"),
        vec!["MINI-2026-03", "CAMP-2026-02"],
        "newest first"
    );
    assert_eq!(list["total"], json!(2));
    assert_eq!(
        codes(
            &app.get("/api/campaigns?limit=1&page=2").await.json(),
            "campaign_code"
        ),
        vec!["CAMP-2026-02"]
    );

    let r = app.get("/api/campaigns/CAMP-2026-02").await;
    r.assert_status(200);
    assert_eq!(r.json(), created);

    let mut changed = campaign_body();
    changed["name"] = json!("Valentine 2026 (extended)");
    changed["end_date"] = json!("2026-02-16");
    let r = app.put("/api/campaigns/CAMP-2026-02", &changed).await;
    r.assert_status(200);
    assert_eq!(r.json()["name"], "Valentine 2026 (extended)");
    assert_eq!(r.json()["end_date"], "2026-02-16");
    assert_eq!(r.json()["updated_by"], ADMIN_NAME);

    let r = app.delete("/api/campaigns/CAMP-2026-02").await;
    r.assert_status(200);
    assert_eq!(r.json()["is_active"], json!(false));
    assert_eq!(
        app.get("/api/campaigns/CAMP-2026-02").await.json()["is_active"],
        json!(false)
    );
    assert_eq!(
        codes(&app.get("/api/campaigns").await.json(), "campaign_code"),
        vec!["MINI-2026-03"]
    );
    assert_eq!(
        app.get("/api/campaigns?include_inactive=true").await.json()["total"],
        json!(2)
    );
    // Updating keeps it inactive.
    let r = app.put("/api/campaigns/CAMP-2026-02", &changed).await;
    assert_eq!(r.json()["is_active"], json!(false));
}

#[actix_web::test]
async fn campaign_not_found_and_validation() {
    let app = TestApp::new().await;
    let mut missing = campaign_body();
    missing["campaign_code"] = json!("CAMP-404");
    for (method, body) in [
        (Method::GET, None),
        (Method::PUT, Some(missing.clone())),
        (Method::DELETE, None),
    ] {
        let r = app
            .request(
                method.clone(),
                "/api/campaigns/CAMP-404",
                Some(ADMIN_KEY),
                body.as_ref(),
            )
            .await;
        r.assert_status(404);
        assert_eq!(
            r.json(),
            json!({"error": "Campaign CAMP-404 not found"}),
            "{method}"
        );
    }
    let mut mismatch = campaign_body();
    mismatch["campaign_code"] = json!("OTHER");
    app.post("/api/campaigns", &campaign_body())
        .await
        .assert_status(201);
    let r = app.put("/api/campaigns/CAMP-2026-02", &mismatch).await;
    r.assert_status(400);
    assert_eq!(fields(&r), vec!["campaign_code"]);
    let base = json!({"campaign_code": "C2", "name": "n", "campaign_type": "major_campaign", "start_date": "2026-02-14", "end_date": "2026-02-15"});
    let cases: Vec<(&str, Value, &str)> = vec![
        ("campaign_type", json!("flash_sale"), "campaign_type"),
        ("start_date", json!("14/02/2026"), "start_date"),
        ("end_date", json!("2026-02-01"), "end_date"),
        ("name", json!(""), "name"),
        ("budget", json!(1000), "budget"),
    ];
    for (key, value, field) in cases {
        let mut body = base.clone();
        body[key] = value;
        let r = app.post("/api/campaigns", &body).await;
        r.assert_status(400);
        assert!(fields(&r).iter().any(|f| f == field), "{key}: {}", r.text());
    }
    for (key, field) in [
        ("name", "name"),
        ("campaign_type", "campaign_type"),
        ("start_date", "start_date"),
    ] {
        let mut body = base.clone();
        body.as_object_mut().unwrap().remove(key);
        let r = app.post("/api/campaigns", &body).await;
        r.assert_status(400);
        assert_eq!(fields(&r), vec![field], "{}", r.text());
    }
    assert_eq!(
        app.get("/api/campaigns?include_inactive=true").await.json()["total"],
        json!(1)
    );
    for bad in ["include_inactive=1x", "page=0", "limit=1000"] {
        app.get(&format!("/api/campaigns?{bad}"))
            .await
            .assert_status(400);
    }
}

#[actix_web::test]
async fn account_manager_lifecycle() {
    let app = TestApp::new().await;
    let writer = app.key(Scope::MasterWrite).to_owned();
    let r = app
        .request(
            Method::POST,
            "/api/account-managers",
            Some(&writer),
            Some(&am_body()),
        )
        .await;
    r.assert_status(201);
    assert_eq!(
        r.json(),
        json!({"id": 1, "name": "Nguyen Van A", "email": "a.nguyen@example.com", "is_active": true})
    );
    let r = app
        .post(
            "/api/account-managers",
            &json!({"id": 1, "name": "Someone Else"}),
        )
        .await;
    r.assert_status(409);
    assert_eq!(r.error(), "Account manager 1 already exists");
    for i in 2..=4 {
        app.post(
            "/api/account-managers",
            &json!({"id": i, "name": format!("AM {i}")}),
        )
        .await
        .assert_status(201);
    }
    let list = app
        .request(
            Method::GET,
            "/api/account-managers?limit=2",
            Some(app.key(Scope::MasterRead)),
            None,
        )
        .await;
    list.assert_status(200);
    let list = list.json();
    assert_eq!(list["total"], json!(4));
    assert_eq!(codes(&list, "id"), vec!["1", "2"]);
    assert_eq!(
        codes(
            &app.get("/api/account-managers?limit=2&page=2").await.json(),
            "id"
        ),
        vec!["3", "4"]
    );

    let r = app.get("/api/account-managers/1").await;
    r.assert_status(200);
    assert_eq!(r.json()["name"], "Nguyen Van A");

    let r = app
        .put(
            "/api/account-managers/2",
            &json!({"name": "AM Two", "email": "two@example.com"}),
        )
        .await;
    r.assert_status(200);
    assert_eq!(
        r.json(),
        json!({"id": 2, "name": "AM Two", "email": "two@example.com", "is_active": true})
    );

    let r = app.delete("/api/account-managers/3").await;
    r.assert_status(200);
    assert_eq!(r.json()["is_active"], json!(false));
    assert_eq!(
        app.get("/api/account-managers/3").await.json()["is_active"],
        json!(false)
    );
    assert_eq!(
        app.get("/api/account-managers").await.json()["total"],
        json!(3)
    );
    assert_eq!(
        app.get("/api/account-managers?include_inactive=true")
            .await
            .json()["total"],
        json!(4)
    );
}

/// Without an `id`, an AM gets the next free one (one above the highest, deactivated AMs
/// included) and the answer says which; a given `id` is honoured.
#[actix_web::test]
async fn account_manager_without_an_id_gets_the_next_free_one() {
    let app = TestApp::new().await;
    let create = |body: Value| {
        let app = &app;
        async move {
            let r = app.post("/api/account-managers", &body).await;
            r.assert_status(201);
            r.json()
        }
    };
    let first = create(json!({"name": "First AM", "email": "first@example.com"})).await;
    assert_eq!(
        first,
        json!({"id": 1, "name": "First AM", "email": "first@example.com", "is_active": true})
    );
    assert_eq!(create(json!({"id": 7, "name": "Seventh"})).await["id"], 7);
    let next = create(json!({"name": "Next", "id": null})).await;
    assert_eq!(next["id"], 8);
    assert_eq!(app.get("/api/account-managers/8").await.json(), next);
    app.delete("/api/account-managers/8")
        .await
        .assert_status(200);
    assert_eq!(create(json!({"name": "After"})).await["id"], 9);
    // The assigned id is the AM's from then on: a seller can name it.
    let mut seller = seller_body("SEL009");
    seller["am_id"] = json!(9);
    app.post("/api/sellers", &seller).await.assert_status(201);
    // A taken id is still a conflict.
    let r = app
        .post("/api/account-managers", &json!({"id": 7, "name": "Again"}))
        .await;
    r.assert_status(409);
    let listed = app
        .get("/api/account-managers?include_inactive=true")
        .await
        .json();
    assert_eq!(codes(&listed, "id"), ["1", "7", "8", "9"]);
}

#[actix_web::test]
async fn account_manager_not_found_and_validation() {
    let app = TestApp::new().await;
    for (method, body) in [
        (Method::GET, None),
        (Method::PUT, Some(json!({"name": "X"}))),
        (Method::DELETE, None),
    ] {
        let r = app
            .request(
                method.clone(),
                "/api/account-managers/99",
                Some(ADMIN_KEY),
                body.as_ref(),
            )
            .await;
        r.assert_status(404);
        assert_eq!(
            r.json(),
            json!({"error": "Account manager 99 not found"}),
            "{method}"
        );
        for bad in ["0", "-1", "abc", "1.5"] {
            let r = app
                .request(
                    method.clone(),
                    &format!("/api/account-managers/{bad}"),
                    Some(ADMIN_KEY),
                    body.as_ref(),
                )
                .await;
            r.assert_status(400);
        }
    }
    let cases: Vec<(Value, &str)> = vec![
        (json!({"id": 0, "name": "Zero"}), "id"),
        (json!({"id": 5}), "name"),
        (json!({"id": 5, "name": ""}), "name"),
        (
            json!({"id": 5, "name": "X", "email": "not-an-email"}),
            "email",
        ),
        (json!({"id": 5, "name": "X", "phone": "123"}), "phone"),
    ];
    for (body, field) in cases {
        let r = app.post("/api/account-managers", &body).await;
        r.assert_status(400);
        assert_eq!(fields(&r), vec![field], "{body}: {}", r.text());
    }
    app.post("/api/account-managers", &am_body())
        .await
        .assert_status(201);
    let r = app
        .put("/api/account-managers/1", &json!({"id": 2, "name": "X"}))
        .await;
    r.assert_status(400);
    assert_eq!(fields(&r), vec!["id"]);
}
