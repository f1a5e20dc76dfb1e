//! Hosted mode's pages: sign in, sign up, the user menu in the header, and the account
//! page with the player's API tokens. Signing in and out go through the REST API
//! (`/api/v1/auth/*`) from the browser; the server sets and clears the session cookie.

use crate::api;
use crate::pages::Notice;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The page to go back to after signing in: a path of this site only (never `//host`).
fn safe_next(next: Option<String>) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .unwrap_or_else(|| "/".into())
}

/// Sign-in and sign-up share one form; `signup` picks the API call and the wording.
#[component]
fn AuthForm(signup: bool) -> impl IntoView {
    let query = use_query_map();
    let next = move || safe_next(query.with(|q| q.get("next")));
    let expired = move || query.with(|q| q.get("expired").is_some());
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let message = RwSignal::new(None::<Notice>);
    let busy = RwSignal::new(false);
    let (title, action, url, autocomplete) = if signup {
        (
            "Create an account",
            "Sign up",
            "/api/v1/auth/signup",
            "new-password",
        )
    } else {
        (
            "Sign in",
            "Sign in",
            "/api/v1/auth/login",
            "current-password",
        )
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        message.set(None);
        #[cfg(feature = "hydrate")]
        send_credentials(
            url,
            username.get_untracked(),
            password.get_untracked(),
            next(),
            busy,
            message,
        );
        #[cfg(not(feature = "hydrate"))]
        let _ = (url, next);
    };
    view! {
        <leptos_meta::Title text=format!("{title} · JetX Predictor")/>
        <section class="auth card">
            <h1>{title}</h1>
            <Show when=expired>
                <p class="message" role="status">"Your session ended. Sign in again to go on where you were; what you typed is kept."</p>
            </Show>
            <form on:submit=submit>
                <label>"User name"
                    <input name="username" autocomplete="username" required minlength="3" maxlength="32"
                        prop:value=move || username.get()
                        on:input=move |ev| username.set(event_target_value(&ev))/>
                </label>
                <label>"Password"
                    <input name="password" type="password" autocomplete=autocomplete required minlength="8"
                        prop:value=move || password.get()
                        on:input=move |ev| password.set(event_target_value(&ev))/>
                </label>
                <button type="submit" disabled=move || busy.get()>{action}</button>
            </form>
            <p role="alert" class=move || message.with(|m| m.as_ref().map_or("message", Notice::class))>
                {move || message.with(|m| m.as_ref().map(|m| m.text().to_string()))}
            </p>
            {if signup {
                view! { <p>"Have an account? " <a href="/login">"Sign in"</a></p> }.into_any()
            } else {
                view! { <p>"No account yet? " <a href="/signup">"Sign up"</a></p> }.into_any()
            }}
        </section>
    }
}

/// Posts the name and password; on success a full load of `target` (the pages render
/// again, now as this player), else the refusal is shown.
#[cfg(feature = "hydrate")]
fn send_credentials(
    url: &'static str,
    username: String,
    password: String,
    target: String,
    busy: RwSignal<bool>,
    message: RwSignal<Option<Notice>>,
) {
    let body = serde_json::json!({ "username": username, "password": password });
    leptos::task::spawn_local(async move {
        match crate::browser::send_json("POST", url, Some(&body)).await {
            Ok(_) => {
                let _ = window().location().assign(&target);
            }
            Err(e) => {
                busy.set(false);
                message.set(Some(Notice::Refused(e.message)));
            }
        }
    });
}

#[component]
pub fn LoginPage() -> impl IntoView {
    view! { <AuthForm signup=false/> }
}

#[component]
pub fn SignupPage() -> impl IntoView {
    view! { <AuthForm signup=true/> }
}

/// The signed-in player's name, the account page and logout; nothing in the local app.
#[component]
pub fn UserMenu() -> impl IntoView {
    let user = Resource::new(|| (), |_| api::current_user());
    let logout = move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let _ = crate::browser::send_json("POST", "/api/v1/auth/logout", None).await;
            let _ = window().location().assign("/login");
        });
    };
    view! {
        <Suspense fallback=|| ()>
            {move || user.get().and_then(Result::ok).flatten().map(|name| view! {
                <div class="user-menu">
                    <a href="/account" class="user-name" title="Your account and API tokens">{name}</a>
                    <button type="button" class="link" on:click=logout>"Log out"</button>
                </div>
            })}
        </Suspense>
    }
}

/// The account page: who is signed in, and their API tokens (create, list, revoke).
#[component]
pub fn AccountPage() -> impl IntoView {
    let changed = RwSignal::new(0u32);
    let tokens = Resource::new(move || changed.get(), |_| api::list_tokens());
    let name = RwSignal::new(String::new());
    let created = RwSignal::new(None::<String>);
    let message = RwSignal::new(None::<Notice>);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let token_name = name.get_untracked();
        leptos::task::spawn_local(async move {
            match api::create_token(token_name).await {
                Ok(secret) => {
                    created.set(Some(secret));
                    name.set(String::new());
                    message.set(None);
                    changed.update(|c| *c += 1);
                }
                Err(e) => message.set(Some(Notice::Refused(e.message))),
            }
        });
    };
    let revoke = move |id: i64| {
        leptos::task::spawn_local(async move {
            match api::revoke_token(id).await {
                Ok(()) => changed.update(|c| *c += 1),
                Err(e) => message.set(Some(Notice::Refused(e.message))),
            }
        });
    };
    view! {
        <leptos_meta::Title text="Account · JetX Predictor"/>
        <h1>"Account"</h1>
        <section class="card">
            <h2>"API tokens"</h2>
            <p class="muted">"A token lets a script work with your data through the REST API: send it as "
                <code>"Authorization: Bearer …"</code>". It is shown once, when created; revoke it when it is no longer needed."</p>
            <form on:submit=create class="token-form">
                <label>"Name" <input name="token-name" maxlength="64" required placeholder="e.g. my autobet script"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/></label>
                <button type="submit">"Create a token"</button>
            </form>
            {move || created.get().map(|t| view! {
                <p class="message ok" role="status">"Your new token (copy it now, it is not shown again): " <code class="token">{t}</code></p>
            })}
            <p role="alert" class="message error">{move || message.with(|m| m.as_ref().map(|m| m.text().to_string()))}</p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || tokens.get().map(|r| match r {
                    Err(e) => view! { <p class="message error">{e.message}</p> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="muted">"No tokens."</p> }.into_any(),
                    Ok(list) => view! {
                        <table class="tokens">
                            <thead><tr><th>"Name"</th><th>"Created"</th><th>"Last used"</th><th></th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|t| view! {
                                    <tr>
                                        <td>{t.name.clone()}</td>
                                        <td><super::limits::LocalTime t=t.created_s/></td>
                                        <td>{t.last_used_s.map_or_else(|| view! { "never" }.into_any(), |s| view! { <super::limits::LocalTime t=s/> }.into_any())}</td>
                                        <td><button type="button" on:click=move |_| revoke(t.id)>{format!("Revoke {}", t.name)}</button></td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                })}
            </Suspense>
        </section>
    }
}
