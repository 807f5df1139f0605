// Small building blocks: errors, loading, form fields, notices.
import type { ButtonHTMLAttributes, ComponentChildren, InputHTMLAttributes } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { explain } from '../api/problems.ts';
import { useAction } from '../hooks.ts';

/** An error from the API (or the network) in plain words. */
export function ErrorBox({
  error,
  overrides,
  children,
}: {
  error: unknown;
  /** Messages for codes that mean something more precise on this page. */
  overrides?: Record<string, string>;
  children?: ComponentChildren;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // Bring a new error into view (forms may be long on a phone).
    if (error) ref.current?.scrollIntoView({ block: 'nearest' });
  }, [error]);
  if (!error) return null;
  const { message, fields } = explain(error, overrides);
  return (
    <div class="notice error" role="alert" ref={ref}>
      <p>{message}</p>
      {fields.length > 0 && (
        <ul>
          {fields.map((f) => (
            <li key={f}>{f}</li>
          ))}
        </ul>
      )}
      {children}
    </div>
  );
}

export function Notice({
  kind = 'info',
  children,
}: {
  kind?: 'info' | 'success' | 'warning';
  children: ComponentChildren;
}) {
  return (
    <div class={`notice ${kind}`} role="status">
      {children}
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

type InputProps = InputHTMLAttributes<HTMLInputElement> & {
  label: string;
  id: string;
  hint?: ComponentChildren;
  onValue?: (value: string) => void;
};

/** A labelled input; `hint` is tied to it with aria-describedby. */
export function Field({ label, id, hint, onValue, ...input }: InputProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        name={id}
        aria-describedby={hintId}
        onInput={onValue ? (e) => onValue(e.currentTarget.value) : undefined}
        {...input}
      />
      {hint && (
        <p class="hint" id={hintId}>
          {hint}
        </p>
      )}
    </div>
  );
}

/** A required field for a whole number (a count, a limit), with the numeric keypad on phones. */
export function WholeNumberField(props: {
  label: string;
  id: string;
  min: number;
  max: number;
  hint?: ComponentChildren;
  value: string;
  onValue: (value: string) => void;
}) {
  return <Field type="number" inputMode="numeric" required {...props} />;
}

export function SubmitButton({
  busy,
  busyLabel,
  children,
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & { busy: boolean; busyLabel: string }) {
  return (
    <button type="submit" class="primary" disabled={busy} aria-busy={busy} {...rest}>
      {busy ? busyLabel : children}
    </button>
  );
}

/** A button that loads the next page of a list; why it failed shows above it. */
export function MoreButton({ label, load }: { label: string; load: () => Promise<void> }) {
  const action = useAction();
  return (
    <>
      <ErrorBox error={action.error} />
      <button type="button" disabled={action.busy} onClick={() => action.run(load)}>
        {action.busy ? 'Loading…' : label}
      </button>
    </>
  );
}

export function PageHeader({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="page-header">
      <h1 tabIndex={-1}>{title}</h1>
      {children}
    </div>
  );
}
