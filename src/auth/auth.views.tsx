import { Layout } from '../pages/layout.js';
import type { ViewContext } from '../pages/view-context.js';

/** GET /auth/logout: logging out changes state, so it is a form post (CSRF-checked), never a link. */
export function LogoutPage({ ctx }: { ctx: ViewContext }) {
  return (
    <Layout ctx={ctx} title="Log out">
      <section class="logout">
        <h1>Log out</h1>
        <p>Do you want to log out of {ctx.shopName}? You will also be signed out at the identity provider.</p>
        <form method="post" action="/auth/logout" class="form">
          {ctx.csrfToken && <input type="hidden" name="_csrf" value={ctx.csrfToken} />}
          <button type="submit">Log out</button>
        </form>
      </section>
    </Layout>
  );
}
