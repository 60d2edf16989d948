/** Asks before deleting something: what happens, a button to keep it, the red button, and why it failed. */
import type { ReactNode } from 'react';
import { DialogButtons } from './DialogButtons.tsx';
import { Dialog, ErrorBox } from './ui.tsx';

export function ConfirmDeleteDialog(props: {
  title: string;
  onClose: () => void;
  keepLabel?: string;
  deleteLabel: string;
  onDelete: () => void;
  busy?: boolean;
  error: unknown;
  children: ReactNode;
}) {
  return (
    <Dialog
      title={props.title}
      onClose={props.onClose}
      footer={
        <DialogButtons
          onCancel={props.onClose}
          cancelLabel={props.keepLabel ?? 'Keep'}
          label={props.deleteLabel}
          onAction={props.onDelete}
          disabled={props.busy}
          danger
        />
      }
    >
      {props.children}
      <ErrorBox error={props.error} title="Not deleted." />
    </Dialog>
  );
}
