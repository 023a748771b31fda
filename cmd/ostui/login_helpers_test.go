package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // RFC 6238's TOTP is HMAC-SHA1, as Keystone computes it
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/kriscelmer/os-tui/internal/profile"
	"github.com/kriscelmer/os-tui/internal/secretstore"
)

// loginCmds are the transcript commands for logins: a TOTP passcode, a
// variable from a file, an answers file, and the search for leaked
// secrets.
func loginCmds() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"totp":       totpCmd,
		"envfile":    envFileCmd,
		"answers":    answersCmd,
		"nosecret":   noSecretCmd,
		"storedhave": storedHaveCmd,
	}
}

// totpCmd is `totp SEEDFILE VAR`: $VAR is the current RFC 6238 passcode
// (6 digits, 30 s steps, SHA-1) of the base32 seed in SEEDFILE.
func totpCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: totp SEEDFILE VAR")
	}
	seed, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	ts.Setenv(args[1], totpCode(ts, strings.TrimSpace(string(seed)), time.Now()))
}

func totpCode(ts *testscript.TestScript, seed string, now time.Time) string {
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.TrimRight(strings.ToUpper(seed), "="))
	if err != nil {
		ts.Fatalf("TOTP seed is not base32: %v", err)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(now.Unix()/30)) //nolint:gosec // a time step is never negative here
	h := hmac.New(sha1.New, key)
	h.Write(msg[:])
	sum := h.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	code := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", code%1000000)
}

// envFileCmd is `envfile VAR FILE`: $VAR is FILE's content, trimmed.
func envFileCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: envfile VAR FILE")
	}
	b, err := os.ReadFile(ts.MkAbs(args[1]))
	ts.Check(err)
	ts.Setenv(args[0], strings.TrimSpace(string(b)))
}

// answersCmd is `answers FILE LINE...`: FILE holds the lines, for stdin.
func answersCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: answers FILE LINE...")
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(strings.Join(args[1:], "\n")+"\n"), 0o600))
}

// store opens the session's secret store the way ostui does (the
// encrypted file, with OSTUI_CONFIG_ENCRYPTION_KEY).
func store(ts *testscript.TestScript) *secretstore.Store {
	s, err := secretstore.Open(secretstore.Options{Mode: secretstore.Encrypted, Dir: profile.Dir(ts.Getenv), Getenv: ts.Getenv})
	ts.Check(err)
	return s
}

// storedHaveCmd is `storedhave KEY`: the secret store holds KEY (its
// value is never printed).
func storedHaveCmd(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: storedhave KEY")
	}
	v, err := store(ts).Get(context.Background(), args[0])
	if (err == nil && v != "") == neg {
		ts.Fatalf("secret store: %s: %v (want it %s)", args[0], err, map[bool]string{true: "absent", false: "present"}[neg])
	}
}

// noSecretCmd is `nosecret SECRET... -- PATH...`: no file under the
// PATHs holds any of the secrets. A SECRET is store:KEY (read from the
// secret store) or a literal value (an expanded $VAR). Values are never
// printed, only where one was found.
func noSecretCmd(ts *testscript.TestScript, neg bool, args []string) {
	sep := -1
	for i, a := range args {
		if a == "--" {
			sep = i
		}
	}
	if neg || sep < 1 || sep == len(args)-1 {
		ts.Fatalf("usage: nosecret SECRET... -- PATH...")
	}
	var values []string
	for _, a := range args[:sep] {
		if key, ok := strings.CutPrefix(a, "store:"); ok {
			v, err := store(ts).Get(context.Background(), key)
			ts.Check(err)
			a = v
		}
		if len(a) < 6 {
			ts.Fatalf("a secret of %d characters would match by chance; refusing to search for it", len(a))
		}
		values = append(values, a)
	}
	files := 0
	for _, root := range args[sep+1:] {
		root = ts.MkAbs(root)
		if _, err := os.Stat(root); err != nil {
			ts.Fatalf("%s: %v", root, err)
		}
		ts.Check(filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			files++
			for i, v := range values {
				if strings.Contains(string(b), v) {
					ts.Fatalf("%s holds secret #%d", p, i+1)
				}
			}
			return nil
		}))
	}
	ts.Logf("searched %d files for %d secrets: none found", files, len(values))
}
