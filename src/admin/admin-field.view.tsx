/** One field: its label, the control, and the message beside it, tied together for screen readers. */
export function Field(props: {
  id: string;
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
  children: (a: Record<string, string | undefined>) => preact.JSX.Element;
}) {
  const { id, label, error, hint } = props;
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={error ? 'field invalid' : 'field'}>
      <label for={id}>{label}</label>
      {hint && (
        <p class="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {props.children({ id, 'aria-invalid': error ? 'true' : undefined, 'aria-describedby': described })}
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

export interface TextFieldProps {
  id: string;
  name: string;
  label: string;
  value: string;
  error?: string | undefined;
  hint?: string | undefined;
  type?: 'text' | 'date';
  list?: string;
  maxLength: number;
  required?: boolean;
}

/** A labelled one-line input (a Field) with its hint and error. */
export function TextField(props: TextFieldProps) {
  const { id, name, label, value, error, hint, type = 'text', list, maxLength, required } = props;
  return (
    <Field id={id} label={label} error={error} hint={hint}>
      {(a) => (
        <input
          id={id}
          type={type}
          name={name}
          value={value}
          list={list}
          maxLength={maxLength}
          required={required}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={a['aria-describedby']}
        />
      )}
    </Field>
  );
}

/** What the last change did (a redirect's `notice`) and, when a form was refused, that nothing was saved. */
export function FormNotices(props: { notice?: string | null | undefined; failed: boolean; fields?: 'field' | 'fields' }) {
  const { notice, failed, fields = 'fields' } = props;
  return (
    <>
      {notice && (
        <p class="notice success" role="status">
          {notice}
        </p>
      )}
      {failed && (
        <p class="notice error" role="alert">
          Nothing was saved. Please correct the highlighted {fields}.
        </p>
      )}
    </>
  );
}
