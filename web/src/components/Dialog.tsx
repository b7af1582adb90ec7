// A modal dialog on the native <dialog> element: the browser keeps focus inside and closes it
// on Escape; we focus its heading on open and give focus back to what opened it on close.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

interface DialogProps {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
}

let nextId = 0;

export function Dialog({ title, onClose, children }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const headingId = useRef(`dialog-title-${++nextId}`);
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    dialog?.querySelector<HTMLElement>('h2')?.focus();
    return () => {
      if (dialog?.open) dialog.close();
      if (opener && opener.isConnected) opener.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class="dialog"
      aria-labelledby={headingId.current}
      onCancel={(event) => {
        event.preventDefault(); // Escape: close through the owner, which unmounts us
        onClose();
      }}
    >
      <header class="dialog-head">
        <h2 id={headingId.current} tabIndex={-1}>
          {title}
        </h2>
        <button type="button" class="close" onClick={onClose}>
          Close
        </button>
      </header>
      <div class="dialog-body">{children}</div>
    </dialog>
  );
}
