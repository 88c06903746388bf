import { Layout } from '../pages/layout.js';
import type { ViewContext } from '../pages/view-context.js';
import type { Profile, ProfileErrors, ProfileField } from './account.service.js';

interface ProfilePageProps {
  ctx: ViewContext;
  profile: Profile;
  editable: boolean;
  saved?: boolean;
  errors?: ProfileErrors;
}

const fields: Array<{ name: ProfileField; label: string; type: 'text' | 'email'; autocomplete: string; max: number }> = [
  { name: 'firstName', label: 'First name', type: 'text', autocomplete: 'given-name', max: 100 },
  { name: 'lastName', label: 'Last name', type: 'text', autocomplete: 'family-name', max: 100 },
  { name: 'email', label: 'Email address', type: 'email', autocomplete: 'email', max: 254 },
];

/** GET /profile: the user's details as the identity provider holds them, editable when it has an account API. */
export function ProfilePage({ ctx, profile, editable, saved, errors = {} }: ProfilePageProps) {
  const failed = Object.keys(errors).length > 0;
  return (
    <Layout ctx={ctx} title="Your profile">
      <section class="profile">
        <h1>Your profile</h1>
        {saved && (
          <p class="notice success" role="status">
            Your profile has been saved.
          </p>
        )}
        {failed && (
          <p class="notice error" role="alert">
            {errors.form ?? 'Please correct the highlighted fields.'}
          </p>
        )}
        {!editable && <p>Your profile is managed by your identity provider.</p>}
        <form method="post" action="/profile" class="form" novalidate>
          {fields.map((f) => (
            <div class={errors[f.name] ? 'field invalid' : 'field'}>
              <label for={`profile-${f.name}`}>{f.label}</label>
              <input
                id={`profile-${f.name}`}
                name={f.name}
                // Preact's input typing accepts one literal type per element, not a union.
                type={f.type as 'text'}
                required
                maxLength={f.max}
                autocomplete={f.autocomplete}
                value={profile[f.name]}
                readOnly={!editable}
                aria-invalid={errors[f.name] ? 'true' : undefined}
                aria-describedby={errors[f.name] ? `profile-${f.name}-error` : undefined}
              />
              {errors[f.name] && (
                <p class="field-error" id={`profile-${f.name}-error`}>
                  {errors[f.name]}
                </p>
              )}
            </div>
          ))}
          {editable && <button type="submit">Save profile</button>}
        </form>
      </section>
    </Layout>
  );
}
