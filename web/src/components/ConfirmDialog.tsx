// A question before something that cannot be undone (revoking an exemption): a modal dialog
// (Dialog: takes the focus, Escape or Cancel closes it and the focus goes back) with the
// action's button, which shows the server's refusal in the dialog when there is one.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { Dialog } from './Dialog';

interface ConfirmDialogProps {
  title: string;
  action: string; // the confirm button's text: "Revoke"
  onConfirm: () => Promise<void>; // the owner closes the dialog when it resolves
  onClose: () => void;
  children: ComponentChildren;
}

export function ConfirmDialog({ title, action, onConfirm, onClose, children }: ConfirmDialogProps) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState('');
  async function confirm() {
    setBusy(true);
    setFailure('');
    try {
      await onConfirm();
    } catch (error) {
      setFailure(error instanceof Error ? error.message : String(error));
      setBusy(false);
    }
  }
  return (
    <Dialog title={title} onClose={onClose}>
      {children}
      {failure && (
        <p class="error" role="alert">
          <span aria-hidden="true">⚠ </span>
          {failure}
        </p>
      )}
      <div class="actions">
        <button type="button" class="primary" disabled={busy} onClick={confirm}>
          {busy ? `${action}…` : action}
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
