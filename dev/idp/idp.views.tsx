import type { ComponentChildren, VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { FieldError } from './idp.users.js';

/** The stylesheet of the dev IdP's pages (served at /idp.css: the pages carry no inline style). */
export const IDP_CSS = `
body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1d2330;margin:0}
main{max-width:26rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:.5rem;box-shadow:0 1px 4px #0002}
h1{font-size:1.4rem;margin-top:0}
label{display:block;margin:.8rem 0 .2rem;font-weight:600}
input{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem;border:1px solid #99a;border-radius:.25rem}
button{margin-top:1.2rem;padding:.6rem 1rem;font-size:1rem;border:0;border-radius:.25rem;background:#2b5cd6;color:#fff;cursor:pointer}
button.secondary{background:#e4e6eb;color:#1d2330}
.error{color:#b3261e}
.notice{background:#fff6d6;padding:.6rem;border-radius:.25rem;font-size:.9rem}
p.alt{margin-top:1.5rem;font-size:.95rem}
`;

/** The dev IdP's icon (served at /idp.svg; browsers ask for one, and a 404 would be noise). */
export const IDP_ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#2b5cd6"/><circle cx="16" cy="13" r="5" fill="#fff"/><rect x="8" y="20" width="16" height="6" rx="3" fill="#fff"/></svg>`;

/** A full document for a dev IdP page; Preact escapes every interpolated value. */
export function renderPage(page: VNode): string {
  return `<!doctype html>${renderToString(page)}`;
}

function Frame({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Development identity provider`}</title>
        <link rel="stylesheet" href="/idp.css" />
        <link rel="icon" href="/idp.svg" type="image/svg+xml" />
      </head>
      <body>
        <main>
          <h1>{title}</h1>
          {children}
        </main>
      </body>
    </html>
  );
}

const messages: Record<string, string> = {
  'error-user-attribute-required': 'This field is required.',
  'error-invalid-length': 'This value is too long.',
  'error-invalid-email': 'Enter a valid email address.',
  emailExistsMessage: 'An account with this email address already exists.',
  invalidPasswordMinLengthMessage: 'The password must have at least 8 characters.',
  invalidPasswordMaxLengthMessage: 'The password is too long.',
};

function FieldErrors({ field, errors }: { field: string; errors: FieldError[] }) {
  const mine = errors.filter((e) => e.field === field);
  if (mine.length === 0) return null;
  return (
    <p class="error" id={`${field}-error`}>
      {mine.map((e) => messages[e.errorMessage] ?? e.errorMessage).join(' ')}
    </p>
  );
}

/** The sign-in form of an interaction. */
export function LoginPage({ uid, email, error }: { uid: string; email: string; error?: string }) {
  return (
    <Frame title="Sign in">
      <p class="notice">Development identity provider. Demo login: demo@example.com / demo1234</p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <form method="post" action={`/interaction/${uid}/login`}>
        <label for="email">Email</label>
        <input id="email" name="email" type="email" autocomplete="username" required value={email} autofocus />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <button type="submit">Sign in</button>
      </form>
      <p class="alt">
        New here? <a href={`/interaction/${uid}/register`}>Create an account</a> · <a href={`/interaction/${uid}/abort`}>Cancel</a>
      </p>
    </Frame>
  );
}

export interface RegisterValues {
  email: string;
  firstName: string;
  lastName: string;
}

/** The registration form of an interaction (reached through `prompt=create` or the sign-in page). */
export function RegisterPage({ uid, values, errors }: { uid: string; values: RegisterValues; errors: FieldError[] }) {
  return (
    <Frame title="Create an account">
      {errors.length > 0 && (
        <p class="error" role="alert">
          Please correct the fields marked below.
        </p>
      )}
      <form method="post" action={`/interaction/${uid}/register`}>
        <label for="firstName">First name</label>
        <input id="firstName" name="firstName" autocomplete="given-name" required maxLength={100} value={values.firstName} />
        <FieldErrors field="firstName" errors={errors} />
        <label for="lastName">Last name</label>
        <input id="lastName" name="lastName" autocomplete="family-name" required maxLength={100} value={values.lastName} />
        <FieldErrors field="lastName" errors={errors} />
        <label for="email">Email</label>
        <input id="email" name="email" type="email" autocomplete="email" required maxLength={254} value={values.email} />
        <FieldErrors field="email" errors={errors} />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="new-password" required minLength={8} />
        <FieldErrors field="password" errors={errors} />
        <button type="submit">Create account</button>
      </form>
      <p class="alt">
        Already have an account? <a href={`/interaction/${uid}/login`}>Sign in</a> · <a href={`/interaction/${uid}/abort`}>Cancel</a>
      </p>
    </Frame>
  );
}

/** The confirmation of RP-initiated logout; the xsrf value comes from oidc-provider's session state. */
export function LogoutPage({ action, xsrf }: { action: string; xsrf: string }) {
  return (
    <Frame title="Sign out">
      <p>Do you want to sign out of the development identity provider?</p>
      <form method="post" action={action}>
        <input type="hidden" name="xsrf" value={xsrf} />
        <button type="submit" name="logout" value="yes" autofocus>
          Yes, sign me out
        </button>{' '}
        <button type="submit" class="secondary">
          No, stay signed in
        </button>
      </form>
    </Frame>
  );
}

/** A message page (signed out, errors); `back` links to the store. */
export function MessagePage({ title, message, back }: { title: string; message: string; back?: string }) {
  return (
    <Frame title={title}>
      <p>{message}</p>
      {back && (
        <p>
          <a href={back}>Back to the shop</a>
        </p>
      )}
    </Frame>
  );
}
