/** A dialog's footer: the button that dismisses it, then the one that acts. */
import type { ReactNode } from 'react';

export function DialogButtons(props: {
  onCancel: () => void;
  cancelLabel?: string;
  label: ReactNode;
  /** Without it the action button submits the form named by `form`. */
  onAction?: () => void;
  form?: string;
  disabled?: boolean;
  /** A destructive action: a red button instead of the primary one. */
  danger?: boolean;
}) {
  return (
    <>
      <button type="button" onClick={props.onCancel}>
        {props.cancelLabel ?? 'Cancel'}
      </button>
      <button
        type={props.onAction ? 'button' : 'submit'}
        form={props.form}
        className={props.danger ? 'danger' : 'primary'}
        onClick={props.onAction}
        disabled={props.disabled}
      >
        {props.label}
      </button>
    </>
  );
}
