//! `/api/v1/auth/*` (sign-up, login, logout, who am I) and `/api/v1/tokens` (API tokens
//! for scripts and the CLI). Thin: each handler calls one use case of
//! [`app::service::accounts`] and sets or clears the session.

use super::{session_error, Hosted, Login, LOGIN_KEY};
use app::errors::AppError;
use app::service::accounts::{self as service, Credentials, TokenInfo, User};
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{Extensions, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use axum::{Extension, Json, Router};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::Arc;
use tower_sessions::Session;

type Result<T> = std::result::Result<T, AppError>;

pub fn router() -> Router<Arc<Hosted>> {
    Router::new()
        .route("/auth/signup", post(signup))
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/auth/me", get(me))
        .route("/tokens", post(create_token).get(list_tokens))
        .route("/tokens/{id}", delete(revoke_token))
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
        Json(json!({ "username": user.username })),
    ))
}

async fn login(
    State(hosted): State<Arc<Hosted>>,
    session: Session,
    extensions: Extensions,
    body: std::result::Result<Json<Credentials>, JsonRejection>,
) -> Result<Json<Value>> {
    let Json(credentials) = body?;
    let address = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string());
    let user = service::login(&hosted.pool, &credentials, &address).await?;
    start_session(&session, &user).await?;
    tracing::info!(user = %user.username, "logged in");
    Ok(Json(json!({ "username": user.username })))
}

async fn logout(session: Session) -> Result<StatusCode> {
    session.flush().await.map_err(session_error)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn me(user: Option<Extension<User>>) -> Result<Json<Value>> {
    let Some(Extension(user)) = user else {
        return Err(service::AccountError::Unauthenticated.into());
    };
    Ok(Json(json!({ "username": user.username })))
}

#[derive(serde::Deserialize)]
struct TokenRequest {
    name: String,
}

async fn create_token(
    State(hosted): State<Arc<Hosted>>,
    SignedIn(user): SignedIn,
    body: std::result::Result<Json<TokenRequest>, JsonRejection>,
) -> Result<impl IntoResponse> {
    let Json(request) = body?;
    let (id, token) = service::create_token(&hosted.pool, &user, &request.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id, "token": token })),
    ))
}

async fn list_tokens(
    State(hosted): State<Arc<Hosted>>,
    SignedIn(user): SignedIn,
) -> Result<Json<Vec<TokenInfo>>> {
    Ok(Json(service::tokens(&hosted.pool, &user).await?))
}

async fn revoke_token(
    State(hosted): State<Arc<Hosted>>,
    SignedIn(user): SignedIn,
    path: std::result::Result<Path<i64>, PathRejection>,
) -> Result<StatusCode> {
    let Path(id) = path?;
    service::revoke_token(&hosted.pool, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
