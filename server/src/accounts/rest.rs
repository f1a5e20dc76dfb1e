//! `/api/v1/auth/*` (sign-up, login, logout, who am I) and `/api/v1/tokens` (API tokens
//! for scripts and the CLI). Thin: each handler calls one use case of
//! [`app::service::accounts`] and sets or clears the session.

use super::{session_error, Hosted, Login, LOGIN_KEY};
use crate::rest::openapi::ErrorBody;
use app::errors::AppError;
use app::service::accounts::{self as service, Credentials, TokenInfo, User};
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{Extensions, StatusCode};
use axum::response::IntoResponse;
use axum::{Extension, Json};
use std::net::SocketAddr;
use std::sync::Arc;
use tower_sessions::Session;
use utoipa_axum::{router::OpenApiRouter, routes};

type Result<T> = std::result::Result<T, AppError>;

pub fn router() -> OpenApiRouter<Arc<Hosted>> {
    OpenApiRouter::new()
        .routes(routes!(signup))
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(create_token, list_tokens))
        .routes(routes!(revoke_token))
}

/// The signed-in player (the scope middleware put them there), or 401.
pub struct SignedIn(pub User);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self> {
        parts
            .extensions
            .get::<User>()
            .cloned()
            .map(SignedIn)
            .ok_or_else(|| service::AccountError::Unauthenticated.into())
    }
}

/// Starts the player's session under a new id (an id planted before login is worthless).
async fn start_session(session: &Session, user: &User) -> Result<()> {
    session.cycle_id().await.map_err(session_error)?;
    let now = service::now_s();
    let login = Login {
        user_id: user.id,
        login_s: now,
        seen_s: now,
    };
    session
        .insert(LOGIN_KEY, login)
        .await
        .map_err(session_error)
}

/// Creates an account (when sign-up is open) and signs it in.
#[utoipa::path(post, path = "/auth/signup", tag = "accounts", request_body(content = Credentials, example = json!({"username": "ana", "password": "correct horse battery"})), responses((status = 201, description = "the account, signed in: the session cookie", body = SignedInAs), (status = 403, description = "sign-up is closed (`signup_closed`)", body = ErrorBody), (status = 409, description = "the name is taken (`taken`)", body = ErrorBody), (status = 422, description = "a bad name (3–32 letters, digits, . _ -) or password (8 characters or more)", body = ErrorBody)))]
async fn signup(
    State(hosted): State<Arc<Hosted>>,
    session: Session,
    body: std::result::Result<Json<Credentials>, JsonRejection>,
) -> Result<impl IntoResponse> {
    let Json(credentials) = body?;
    let user = service::signup(&hosted.pool, &credentials, hosted.settings.signup).await?;
    start_session(&session, &user).await?;
    tracing::info!(user = %user.username, "signed up");
    Ok((
        StatusCode::CREATED,
        Json(SignedInAs {
            username: user.username,
        }),
    ))
}

/// Signs in: a new session (the cookie), never the id the browser had before.
#[utoipa::path(post, path = "/auth/login", tag = "accounts", request_body(content = Credentials, example = json!({"username": "ana", "password": "correct horse battery"})), responses((status = 200, description = "signed in: a new session cookie", body = SignedInAs), (status = 401, description = "wrong name or password (`wrong_password`)", body = ErrorBody), (status = 429, description = "too many failed logins for the account or from the address (`too_many_tries`, `Retry-After`)", body = ErrorBody)))]
async fn login(
    State(hosted): State<Arc<Hosted>>,
    session: Session,
    extensions: Extensions,
    headers: axum::http::HeaderMap,
    body: std::result::Result<Json<Credentials>, JsonRejection>,
) -> Result<Json<SignedInAs>> {
    let Json(credentials) = body?;
    let forwarded = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
    let address = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| {
            super::address::client_address(c.0.ip(), forwarded, &hosted.settings.trusted_proxies)
        })
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    let user = service::login(&hosted.pool, &credentials, &address).await?;
    start_session(&session, &user).await?;
    tracing::info!(user = %user.username, "logged in");
    Ok(Json(SignedInAs {
        username: user.username,
    }))
}

/// Ends the session.
#[utoipa::path(post, path = "/auth/logout", tag = "accounts", responses((status = 204, description = "the session ended")))]
async fn logout(session: Session) -> Result<StatusCode> {
    session.flush().await.map_err(session_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who is signed in.
#[utoipa::path(get, path = "/auth/me", tag = "accounts", responses((status = 200, description = "the signed-in player", body = SignedInAs), (status = 401, description = "not signed in", body = ErrorBody)))]
async fn me(user: Option<Extension<User>>) -> Result<Json<SignedInAs>> {
    let Some(Extension(user)) = user else {
        return Err(service::AccountError::Unauthenticated.into());
    };
    Ok(Json(SignedInAs {
        username: user.username,
    }))
}

/// Who is signed in: `{"username"}`.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct SignedInAs {
    username: String,
}

/// A new API token: its id and its secret, shown this once.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct NewToken {
    id: i64,
    token: String,
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
struct TokenRequest {
    name: String,
}

/// A new API token for scripts; its secret is in this answer only.
#[utoipa::path(post, path = "/tokens", tag = "accounts", request_body(content = TokenRequest, example = json!({"name": "my script"})), responses((status = 201, description = "the only time the token is shown", body = NewToken), (status = 422, description = "a name of 1–64 characters is needed", body = ErrorBody)))]
async fn create_token(
    State(hosted): State<Arc<Hosted>>,
    SignedIn(user): SignedIn,
    body: std::result::Result<Json<TokenRequest>, JsonRejection>,
) -> Result<impl IntoResponse> {
    let Json(request) = body?;
    let (id, token) = service::create_token(&hosted.pool, &user, &request.name).await?;
    Ok((StatusCode::CREATED, Json(NewToken { id, token })))
}

/// The player's tokens, without their secrets.
#[utoipa::path(get, path = "/tokens", tag = "accounts", responses((status = 200, description = "the player's tokens: id, name, created_s, last_used_s (never the secret)", body = Vec<TokenInfo>)))]
async fn list_tokens(
    State(hosted): State<Arc<Hosted>>,
    SignedIn(user): SignedIn,
) -> Result<Json<Vec<TokenInfo>>> {
    Ok(Json(service::tokens(&hosted.pool, &user).await?))
}

/// Revokes one of the player's tokens.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "accounts", params(("id" = i64, Path)), responses((status = 204, description = "revoked"), (status = 404, description = "no such token of this player", body = ErrorBody)))]
async fn revoke_token(
    State(hosted): State<Arc<Hosted>>,
    SignedIn(user): SignedIn,
    path: std::result::Result<Path<i64>, PathRejection>,
) -> Result<StatusCode> {
    let Path(id) = path?;
    service::revoke_token(&hosted.pool, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
