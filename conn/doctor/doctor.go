// Package doctor implements `agentdesk doctor`: it connects once to each
// server, logs in, and reports state, client id, pending requests, online
// users, health, login latency and the error, as a table or as JSON.
package doctor

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/desk"
	"github.com/agentdesk/agentdesk/profiles"
)

// Budget is the most one server may cost; servers are checked in parallel.
const Budget = 5 * time.Second

// Report is what doctor found for one server. Its JSON form is the
// documented output of `agentdesk doctor --json`.
type Report struct {
	Server   string `json:"server"`
	URL      string `json:"url"`
	State    string `json:"state"`
	ClientID string `json:"client_id"`
	// Pending and Online are null when the server did not say.
	Pending   *int   `json:"pending"`
	Online    *int   `json:"online"`
	LatencyMS int64  `json:"latency_ms"`
	Health    string `json:"health"`
	Error     string `json:"error"`
}

// The values of Report.State.
const (
	StateConnected   = "connected"
	StateUnreachable = "unreachable"
	StateAuthFailed  = "auth-failed"
	StateError       = "error"
)

// Check checks every server in parallel, each within Budget, and returns
// the reports in the order given.
func Check(ctx context.Context, servers []conn.ServerConfig, opts conn.Options) []Report {
	out := make([]Report, len(servers))
	var wg sync.WaitGroup
	for i, cfg := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(ctx, Budget)
			defer cancel()
			out[i] = report(cfg, conn.Check(ctx, cfg, opts))
		}()
	}
	wg.Wait()
	return out
}

func report(cfg conn.ServerConfig, res conn.CheckResult) Report {
	r := Report{Server: cfg.Label, URL: cfg.URL, ClientID: res.ClientID, LatencyMS: res.Latency.Milliseconds()}
	if res.Pending >= 0 {
		r.Pending = &res.Pending
	}
	if res.Online >= 0 {
		r.Online = &res.Online
	}
	switch {
	case res.Health.OK && res.Health.Version != "":
		r.Health = "ok (" + res.Health.Version + ")"
	case res.Health.OK:
		r.Health = "ok"
	case res.Health.Err != nil:
		r.Health = res.Health.Err.Error()
	}
	switch res.Kind {
	case conn.FailureNone:
		r.State = StateConnected
	case conn.FailureUnreachable:
		r.State = StateUnreachable
	case conn.FailureAuth:
		r.State = StateAuthFailed
	default:
		r.State = StateError
	}
	if res.Err != nil {
		r.Error = res.Err.Error()
		if errors.Is(res.Err, context.DeadlineExceeded) {
			r.State, r.Error = StateUnreachable, fmt.Sprintf("no answer within %s", Budget)
		}
	}
	return r
}

// WriteText prints reports as an aligned table.
func WriteText(w io.Writer, reports []Report) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVER\tSTATE\tCLIENT ID\tPENDING\tONLINE\tHEALTH\tLATENCY\tERROR")
	num := func(p *int) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprint(*p)
	}
	for _, r := range reports {
		latency := "-"
		if r.State == StateConnected {
			latency = fmt.Sprintf("%d ms", r.LatencyMS)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Server, r.State, dash(r.ClientID),
			num(r.Pending), num(r.Online), dash(r.Health), latency, dash(r.Error))
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// WriteJSON prints reports as a JSON array.
func WriteJSON(w io.Writer, reports []Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(reports)
}

// AllConnected reports whether every server logged in.
func AllConnected(reports []Report) bool {
	for _, r := range reports {
		if r.State != StateConnected {
			return false
		}
	}
	return len(reports) > 0
}

// Main runs `agentdesk doctor` with args (after the sub-command name) and
// returns the exit status: 0 only when every server connected, 1 when one
// did not, 2 for usage or configuration errors.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print a JSON array instead of a table")
	configDir := fs.String("config-dir", "", "config directory (default: $AGENTDESK_CONFIG_DIR, else the user config dir)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: agentdesk doctor [--json] [--config-dir DIR] [URL…]")
		fmt.Fprintln(stderr, "Checks each URL, or every enabled configured server when none is given.")
		fmt.Fprintln(stderr, "The token comes from $AGENTDESK_TOKEN (else the keyring), the nickname from $AGENTDESK_NICKNAME.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx := context.Background()
	opts := conn.Options{
		Token:    os.Getenv(profiles.TokenEnv),
		Nickname: os.Getenv("AGENTDESK_NICKNAME"),
		// Leave room inside Budget for the login itself.
		HandshakeTimeout: 4 * time.Second,
		LoginTimeout:     4 * time.Second,
	}
	var servers []conn.ServerConfig
	if fs.NArg() > 0 {
		for _, raw := range fs.Args() {
			u, err := profiles.NormalizeURL(raw)
			if err != nil {
				fmt.Fprintf(stderr, "doctor: %s\n", err)
				return 2
			}
			p := profiles.Profile{URL: u}
			servers = append(servers, conn.ServerConfig{ID: conn.ServerID(p.Label()), Label: p.Label(), URL: u, Enabled: true})
		}
	} else {
		var code int
		servers, code = configured(ctx, *configDir, &opts, stderr)
		if code != 0 {
			return code
		}
	}
	if opts.Nickname == "" {
		opts.Nickname = "agentdesk-doctor"
	}
	reports := Check(ctx, servers, opts)
	var err error
	if *asJSON {
		err = WriteJSON(stdout, reports)
	} else {
		err = WriteText(stdout, reports)
	}
	if err != nil {
		fmt.Fprintf(stderr, "doctor: %v\n", err)
		return 2
	}
	if !AllConnected(reports) {
		return 1
	}
	return 0
}

// configured loads the enabled servers from the profile store, importing
// from the Flutter client on first run, with the token and Basic-auth
// passwords from the keyring.
func configured(ctx context.Context, flagDir string, opts *conn.Options, stderr io.Writer) ([]conn.ServerConfig, int) {
	dir, err := profiles.ResolveConfigDir(flagDir)
	if err != nil {
		fmt.Fprintf(stderr, "doctor: %v\n", err)
		return nil, 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	store, err := profiles.Load(dir, profiles.Options{Logger: logger})
	if store == nil {
		fmt.Fprintf(stderr, "doctor: %v\n", err)
		return nil, 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "doctor: %v\n", err)
	}
	for _, n := range store.Notices() {
		fmt.Fprintf(stderr, "doctor: %s\n", n)
	}
	if res, err := store.FirstRunImport(ctx, ""); err != nil {
		fmt.Fprintf(stderr, "doctor: import from the Agent Assistant app failed: %v\n", err)
	} else if res != nil {
		fmt.Fprintf(stderr, "doctor: %s\n", res.Summary())
	}
	if opts.Token == "" {
		token, err := store.Secrets().Token(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "doctor: %v\n", err)
		}
		opts.Token = token
	}
	if opts.Nickname == "" {
		opts.Nickname = store.Settings().Nickname
	}
	all, err := desk.ServerConfigs(ctx, store)
	if err != nil {
		fmt.Fprintf(stderr, "doctor: %v\n", err)
	}
	var enabled []conn.ServerConfig
	for _, c := range all {
		if c.Enabled {
			enabled = append(enabled, c)
		}
	}
	if len(enabled) == 0 {
		fmt.Fprintf(stderr, "doctor: no enabled servers in %s; pass URLs to check them\n", store.Path())
		return nil, 2
	}
	return enabled, 0
}
