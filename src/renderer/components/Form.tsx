/** A form the page checks itself: no browser validation bubbles, no page reload. */
import type { FormHTMLAttributes } from 'react';

export function Form({
  onSubmit,
  ...rest
}: Omit<FormHTMLAttributes<HTMLFormElement>, 'onSubmit' | 'noValidate'> & {
  /** Runs on submit (Enter or a submit button); it may be async. */
  onSubmit: () => unknown;
}) {
  return (
    <form
      {...rest}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void onSubmit();
      }}
    />
  );
}
