//! The REST API's OpenAPI 3.1 document, served at `/api/v1/openapi.json` and read by the
//! API docs page (`/api-docs`, Swagger UI from the `swagger-ui-dist` npm package, copied
//! into the site at build time). Each handler describes itself (`#[utoipa::path]`); this
//! adds what every route shares: the error body, the responses any request can get
//! (sign-in on a hosted server, cross-site and encoding refusals, a busy database), and
//! how to authenticate.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Response};

/// Every error: `{"error": {"status", "code", "message", "details"}}`.
#[derive(utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(utoipa::ToSchema)]
pub struct ErrorDetail {
    /// The HTTP status.
    pub status: u16,
    /// A stable machine-readable code, e.g. `invalid_value`, `not_found`, `busy`.
    pub code: String,
    /// What went wrong, for a person.
    pub message: String,
    /// Structured details (e.g. every invalid value with its position), or null.
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
}

/// Responses any operation may give, by status: (status, name, description, for writes only).
const SHARED: [(&str, &str, &str, bool); 5] = [
    (
        "401",
        "Unauthenticated",
        "hosted mode: no session or token, or an ended one (`unauthenticated`)",
        false,
    ),
    (
        "403",
        "CrossSite",
        "a write from another site's page (`cross_site`)",
        true,
    ),
    (
        "413",
        "TooLarge",
        "a body over the input limit (`too_large`)",
        true,
    ),
    (
        "415",
        "NotJson",
        "a write whose body is not JSON (`not_json`)",
        true,
    ),
    (
        "503",
        "Busy",
        "the database is still locked by another writer after 30 s (`busy`): try again",
        false,
    ),
];

fn error_response(description: &str) -> Response {
    let mut response = Response::new(description);
    let schema = Content::new(Some(Ref::from_schema_name("ErrorBody")));
    response
        .content
        .insert("application/json".into(), RefOr::T(schema));
    response
}

/// `GET /api/v1/openapi.json`: this document (served by `web.rs`, which holds it). Public,
/// like sign-up and login: a client reads it before it has a session.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta", responses((status = 200, description = "the OpenAPI 3.1 document of this API", body = Object), (status = 400, description = "a `Host` that is not this server's (`host_not_allowed`)", body = ErrorBody)))]
#[allow(dead_code)] // only its annotation is used: the route is added with the document
fn openapi_json() {}

#[derive(utoipa::OpenApi)]
#[openapi(paths(openapi_json))]
struct Meta;

/// The public paths: no session or token needed.
pub const PUBLIC: [&str; 3] = [
    "/api/v1/auth/signup",
    "/api/v1/auth/login",
    "/api/v1/openapi.json",
];

/// The served document: `doc` (the routes) with the account routes of hosted mode
/// (`auth`, listed even when this server runs without accounts), the shared responses
/// and the two ways to sign requests (the session `cookie`'s name, or a token).
pub fn document(mut doc: OpenApi, auth: OpenApi, cookie: &str) -> OpenApi {
    doc.merge(auth);
    doc.merge(<Meta as utoipa::OpenApi>::openapi());
    doc.info = utoipa::openapi::Info::new("JetX Predictor API", env!("CARGO_PKG_VERSION"));
    doc.info.description = Some(
        "Record crash-game rounds and read what the history says. All bodies are JSON. \
         On a hosted server (`accounts = true`) every route but sign-up and login \
         needs a session cookie (from login) or an API token \
         (`Authorization: Bearer jetx_…`); the local app needs neither."
            .into(),
    );
    let components = doc.components.get_or_insert_with(Default::default);
    for (_, name, description, _) in SHARED {
        components
            .responses
            .insert(name.into(), RefOr::T(error_response(description)));
    }
    components.security_schemes.insert(
        "session".into(),
        RefOr::T(SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
            cookie,
        )))),
    );
    components.security_schemes.insert(
        "token".into(),
        RefOr::T(SecurityScheme::Http(utoipa::openapi::security::Http::new(
            HttpAuthScheme::Bearer,
        ))),
    );
    let requirements = ["session", "token"]
        .map(|s| utoipa::openapi::security::SecurityRequirement::new(s, Vec::<String>::new()));
    for (path, item) in doc.paths.paths.iter_mut() {
        let public = PUBLIC.contains(&path.as_str());
        let operations = [
            (&mut item.get, false),
            (&mut item.put, true),
            (&mut item.post, true),
            (&mut item.delete, true),
        ];
        for (op, write) in operations {
            let Some(op) = op.as_mut() else { continue };
            for (status, name, _, writes_only) in SHARED {
                if (writes_only && !write) || (public && status == "401") {
                    continue;
                }
                let reference = Ref::new(format!("#/components/responses/{name}"));
                op.responses
                    .responses
                    .entry(status.into())
                    .or_insert(RefOr::Ref(reference));
            }
            if !public {
                op.security = Some(requirements.to_vec());
            }
        }
    }
    doc
}
