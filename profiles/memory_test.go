package profiles

import (
	"errors"
	"testing"

	"github.com/zalando/go-keyring"
)

func TestMemorySecretsStayInMemoryAndIgnoreEnv(t *testing.T) {
	t.Setenv(TokenEnv, "from-env")
	s := NewMemorySecrets()
	if tok, _ := s.Token(bg); tok != "" {
		t.Fatalf("token = %q; memory secrets must not read %s", tok, TokenEnv)
	}
	if err := s.SetToken(bg, "demo"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPassword(bg, "id1", "pw"); err != nil {
		t.Fatal(err)
	}
	if tok, _ := s.Token(bg); tok != "demo" {
		t.Fatalf("token = %q", tok)
	}
	if pw, _ := s.Password(bg, "id1"); pw != "pw" {
		t.Fatalf("password = %q", pw)
	}
	if err := s.DeletePassword(bg, "id1"); err != nil {
		t.Fatal(err)
	}
	k := NewMemoryKeyring()
	if err := k.Delete(KeyringService, "nobody"); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("delete of a missing secret: %v", err)
	}
}
