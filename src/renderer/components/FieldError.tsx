/** An error under a field or a group of fields; nothing when there is none. */
export function FieldError({
  message,
  id,
  announce = true,
}: {
  message: string | undefined;
  id?: string | undefined;
  /** Read out by screen readers as soon as it appears (role="alert"). */
  announce?: boolean;
}) {
  if (!message) return null;
  return (
    <div className="field-error" id={id} role={announce ? 'alert' : undefined}>
      {message}
    </div>
  );
}
