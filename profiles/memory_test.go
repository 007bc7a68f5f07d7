package profiles_test

import (
	"errors"
	"testing"

	"github.com/agentdesk/agentdesk/profiles"
	"github.com/zalando/go-keyring"
)

func TestMemorySecretsStayInMemoryAndIgnoreEnv(t *testing.T) {
	t.Setenv(profiles.TokenEnv, "from-env")
	s := profiles.NewMemorySecrets()
	if tok, _ := s.Token(profiles.Bg); tok != "" {
		t.Fatalf("token = %q; memory secrets must not read %s", tok, profiles.TokenEnv)
	}
	if err := s.SetToken(profiles.Bg, "demo"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPassword(profiles.Bg, "id1", "pw"); err != nil {
		t.Fatal(err)
	}
	if tok, _ := s.Token(profiles.Bg); tok != "demo" {
		t.Fatalf("token = %q", tok)
	}
	if pw, _ := s.Password(profiles.Bg, "id1"); pw != "pw" {
		t.Fatalf("password = %q", pw)
	}
	if err := s.DeletePassword(profiles.Bg, "id1"); err != nil {
		t.Fatal(err)
	}
	k := profiles.NewMemoryKeyring()
	if err := k.Delete(profiles.KeyringService, "nobody"); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("delete of a missing secret: %v", err)
	}
}
