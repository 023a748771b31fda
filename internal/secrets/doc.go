// Package secrets keeps ostui's secrets out of places they must not reach:
// the audit log, the model's context, debug output and files on disk.
//
// Redaction lives here and only here, so that every writer (audit, planner,
// renderers) hides the same things the same way:
//
//   - Redact hides the values of secret-looking keys in a JSON document.
//   - RedactString hides known secret strings, PEM private keys and
//     credential header lines in free text.
//   - IsSecretKey is the single answer to "is this field a secret?".
//
// WriteFile0600 is the one way ostui writes a file that may hold a secret:
// atomically, with mode 0600, never through a symlink.
package secrets
