package desk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/model"
	"github.com/agentdesk/agentdesk/profiles"
)

// ServerConfig maps a profile to what the connection manager dials.
// password is its Basic-auth password; it is ignored, like the user name,
// when Basic auth is off. Turning profiles into connections is the core's
// job, so that profiles never depends on conn.
func ServerConfig(p profiles.Profile, password string) conn.ServerConfig {
	c := conn.ServerConfig{
		ID:      conn.ServerID(p.ID),
		Label:   p.Label(),
		URL:     p.URL,
		Enabled: p.Enabled,
	}
	if p.BasicAuth {
		c.BasicUser = p.BasicUser
		c.BasicPassword = password
	}
	return c
}

// ServerConfigs returns the connection manager's configs for every profile
// in store, with passwords from the keyring. When the keyring fails, the
// configs concerned come without a password and the error names those
// servers; all configs are returned regardless. It does keyring I/O.
func ServerConfigs(ctx context.Context, store *profiles.Store) ([]conn.ServerConfig, error) {
	var out []conn.ServerConfig
	var failed []string
	var first error
	for _, p := range store.Profiles() {
		pw, err := store.BasicPassword(ctx, p)
		if err != nil {
			failed = append(failed, fmt.Sprintf("%q", p.Label()))
			if first == nil {
				first = err
			}
		}
		out = append(out, ServerConfig(p, pw))
	}
	if first != nil {
		return out, fmt.Errorf("no password for %s: %w", strings.Join(failed, ", "), errors.Unwrap(first))
	}
	return out, nil
}

// modelServers lists the profiles as the model shows them.
func modelServers(s *profiles.Store) []conn.ServerConfig {
	ps := s.Profiles()
	out := make([]conn.ServerConfig, len(ps))
	for i, p := range ps {
		out[i] = ServerConfig(p, "")
	}
	return out
}

// AddServer validates and saves a new server and connects it when
// enabled. A keyring error (password kept for this run only) comes with
// the saved profile. It does I/O.
func (c *Core) AddServer(ctx context.Context, p profiles.Profile, password string) (profiles.Profile, error) {
	e, err := c.engine()
	if err != nil {
		return profiles.Profile{}, err
	}
	return e.store.Add(ctx, p, password)
}

// UpdateServer saves an edited server and reconfigures only that one.
// password nil keeps the stored one. It does I/O.
func (c *Core) UpdateServer(ctx context.Context, p profiles.Profile, password *string) (profiles.Profile, error) {
	e, err := c.engine()
	if err != nil {
		return profiles.Profile{}, err
	}
	return e.store.Update(ctx, p, password)
}

// DeleteServer removes a server, disconnects it and forgets its password.
// Its finished requests stay in the history and the timeline unless
// withHistory is set, which deletes them too. It does I/O.
func (c *Core) DeleteServer(ctx context.Context, id conn.ServerID, withHistory bool) error {
	e, err := c.engine()
	if err != nil {
		return err
	}
	if err := e.store.Delete(ctx, string(id)); err != nil && !errors.Is(err, profiles.ErrKeyringUnavailable) {
		return err
	} else if err != nil {
		defer c.model.AddNotice(model.Notice{ID: "keyring-delete", Level: model.NoticeWarning, Title: NoticeKeyring, Details: err.Error()})
	}
	if withHistory {
		if _, err := e.hist.Delete(ctx, string(id)); err != nil {
			return fmt.Errorf("the server was deleted, but not its history: %w", err)
		}
		c.model.DropHistory(id)
	}
	return nil
}

// SetEnabled switches a server on or off. It does I/O.
func (c *Core) SetEnabled(ctx context.Context, id conn.ServerID, on bool) error {
	e, err := c.engine()
	if err != nil {
		return err
	}
	p, ok := e.store.Profile(string(id))
	if !ok {
		return profiles.ErrNoSuchProfile
	}
	if p.Enabled == on {
		return nil
	}
	p.Enabled = on
	_, err = e.store.Update(ctx, p, nil)
	return err
}

// SetDefault marks the default server ("" clears it). It does I/O.
func (c *Core) SetDefault(id conn.ServerID) error {
	e, err := c.engine()
	if err != nil {
		return err
	}
	err = e.store.SetDefault(string(id))
	if err == nil {
		c.statusChanged()
	}
	return err
}

// RetryNow makes a server try to connect at once.
func (c *Core) RetryNow(id conn.ServerID) error {
	e, err := c.engine()
	if err != nil {
		return err
	}
	return e.mgr.RetryNow(id)
}

// TestConnection connects once to p (not saved) with password, probes its
// health and logs in with the current token and nickname. password nil
// uses the password stored for p.ID. It does network and keyring I/O and
// returns within about 15 s.
func (c *Core) TestConnection(ctx context.Context, p profiles.Profile, password *string) (conn.CheckResult, error) {
	u, err := profiles.NormalizeURL(p.URL)
	if err != nil {
		return conn.CheckResult{}, err
	}
	p.URL = u
	pw := ""
	if password != nil {
		pw = *password
	} else if p.ID != "" && p.BasicAuth {
		if s := c.Store(); s != nil {
			pw, _ = s.Secrets().Password(ctx, p.ID)
		}
	}
	cfg := ServerConfig(p, pw)
	cfg.Enabled = true
	c.mu.Lock()
	tok := c.token
	c.mu.Unlock()
	opts := c.opts.Conn
	opts.Token, opts.Nickname = tok, c.Settings().Nickname
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	return conn.Check(ctx, cfg, opts), nil
}

// ImportFromFile imports servers, token and nickname from a Flutter
// client's shared_preferences.json. It does I/O.
func (c *Core) ImportFromFile(ctx context.Context, path string) (*profiles.ImportResult, error) {
	e, err := c.engine()
	if err != nil {
		return nil, err
	}
	oldNick := e.store.Settings().Nickname
	res, err := e.store.ImportFlutterFile(ctx, path)
	if err != nil {
		return res, err
	}
	if nick := e.store.Settings().Nickname; nick != oldNick {
		e.mgr.SetNickname(nick)
	}
	if res.Token {
		if t, terr := e.store.Secrets().Token(ctx); terr == nil {
			c.setToken(e, t)
		}
	}
	c.statusChanged()
	return res, nil
}
