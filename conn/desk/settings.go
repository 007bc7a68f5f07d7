package desk

import (
	"context"
	"errors"
	"strings"

	"github.com/agentdesk/agentdesk/profiles"
)

// Settings returns the saved settings (defaults before Start).
func (c *Core) Settings() profiles.Settings {
	if s := c.Store(); s != nil {
		return s.Settings()
	}
	return profiles.Settings{Notifications: profiles.DefaultNotifications()}
}

// HasToken reports whether a token is in use.
func (c *Core) HasToken() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.token != ""
}

// TokenFromEnv reports whether AGENTDESK_TOKEN overrides the stored token.
func (c *Core) TokenFromEnv() bool {
	s := c.Store()
	return s != nil && s.Secrets().TokenFromEnv()
}

// setToken uses t on every server from now on.
func (c *Core) setToken(e *engine, t string) {
	c.mu.Lock()
	c.token = t
	c.mu.Unlock()
	e.mgr.SetToken(t)
}

// SaveSettings saves the settings and pushes a changed nickname to every
// server. token, when not nil, replaces the token in the keyring and
// reconnects every server with it. A keyring error is returned after
// everything else was applied (the token then works for this run only).
// It does I/O.
func (c *Core) SaveSettings(ctx context.Context, s profiles.Settings, token *string) error {
	e, err := c.engine()
	if err != nil {
		return err
	}
	old := e.store.Settings()
	oldNick := old.Nickname
	if err := e.store.SetSettings(s); err != nil {
		return err
	}
	if h := e.store.Settings().History; h != old.History {
		e.hist.SetKeepAttachmentBytes(h.KeepAttachmentBytes)
		go c.prune(context.Background(), e) // a closed history just refuses
	}
	if nick := e.store.Settings().Nickname; nick != oldNick {
		e.mgr.SetNickname(nick)
	}
	var kerr error
	if token != nil {
		t := strings.TrimSpace(*token)
		kerr = e.store.Secrets().SetToken(ctx, t)
		if kerr != nil && !errors.Is(kerr, profiles.ErrNotRemembered) && !errors.Is(kerr, profiles.ErrKeyringUnavailable) {
			return kerr
		}
		if e.store.Secrets().TokenFromEnv() {
			t, _ = e.store.Secrets().Token(ctx)
		}
		c.setToken(e, t)
	}
	c.statusChanged()
	return kerr
}
