// Package historytest fills history databases with generated, realistic
// finished requests: for benchmarks, and for measuring launch time and
// memory with a large history (e.g. 100,000 requests).
package historytest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/agentdesk/agentdesk/conn/history"
)

// Options shape the generated history. The zero value is ready to use.
type Options struct {
	// Servers are the server ids to spread requests over; default
	// "home", "work" and "build".
	Servers []string
	// Seed makes the content reproducible; the same seed and count give
	// the same history.
	Seed uint64
	// Start is the creation time of the first request; requests follow
	// each other by a minute. Default: so that the last one is now.
	Start time.Time
	// IDPrefix starts every request id, so two fills can share servers.
	IDPrefix string
}

// DefaultServers are the servers used when Options.Servers is empty.
var DefaultServers = []string{"home", "work", "build"}

// Generated is one request with its outcome.
type Generated struct {
	Request history.Request
	Outcome history.Outcome
}

// Generator produces realistic requests one by one.
type Generator struct {
	opts Options
	rng  *rand.Rand
	zipf *rand.Zipf
	i    int
}

// NewGenerator returns a generator of finished requests; n is how many the
// caller will take, to place the default start time.
func NewGenerator(n int, opts Options) *Generator {
	if len(opts.Servers) == 0 {
		opts.Servers = DefaultServers
	}
	if opts.Start.IsZero() {
		opts.Start = time.Now().Add(-time.Duration(n) * time.Minute).Truncate(time.Second)
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 0x5eed))
	return &Generator{opts: opts, rng: rng, zipf: rand.NewZipf(rng, 1.1, 2, uint64(len(vocabulary)-1))}
}

// Next returns the next request and its outcome.
func (g *Generator) Next() Generated {
	i := g.i
	g.i++
	server := g.opts.Servers[i%len(g.opts.Servers)]
	// Questions run to a few sentences (about 400 characters on
	// average); work reports summarise more (about 1,500).
	kind, length := history.KindQuestion, 1+g.rng.IntN(8)
	if g.rng.IntN(4) == 0 {
		kind, length = history.KindWorkReport, 4+g.rng.IntN(27)
	}
	agent := agents[g.rng.IntN(len(agents))]
	r := history.Request{
		Server:      server,
		ID:          fmt.Sprintf("%s%s-%07d", g.opts.IDPrefix, agent.name, i),
		ServerLabel: strings.ToUpper(server[:1]) + server[1:],
		Kind:        kind,
		Agent:       agent.name,
		Model:       agent.model,
		MCPClient:   agent.client,
		Project:     projects[g.rng.IntN(len(projects))],
		Text:        g.sentences(length),
		Created:     g.opts.Start.Add(time.Duration(i) * time.Minute),
		Timeout:     time.Duration(5+g.rng.IntN(55)) * time.Minute,
	}
	o := history.Outcome{At: r.Created.Add(time.Duration(10+g.rng.IntN(600)) * time.Second)}
	switch p := g.rng.IntN(100); {
	case p < 70:
		o.State, o.Text = history.StateAnswered, g.sentences(1+g.rng.IntN(5))
		if g.rng.IntN(20) == 0 {
			o.Attachments = []history.Attachment{{Name: "screenshot.png", MIME: "image/png", Size: int64(20_000 + g.rng.IntN(500_000))}}
		}
	case p < 80:
		o.State, o.By, o.Text = history.StateAnsweredElsewhere, peers[g.rng.IntN(len(peers))], g.sentences(1+g.rng.IntN(4))
	case p < 90:
		o.State, o.Reason = history.StateCancelled, "the agent's call timed out"
	case p < 97:
		o.State, o.Reason = history.StateGone, "no longer pending on the server"
	default:
		o.State, o.Text, o.Reason = history.StateUndeliverable, g.sentences(1), "the request was already answered"
	}
	return Generated{Request: r, Outcome: o}
}

// sentences returns n sentences of Zipf-distributed words, like prose.
func (g *Generator) sentences(n int) string {
	var b strings.Builder
	for s := range n {
		if s > 0 {
			b.WriteByte(' ')
		}
		words := 6 + g.rng.IntN(14)
		for w := range words {
			word := vocabulary[g.zipf.Uint64()]
			if w == 0 {
				word = strings.ToUpper(word[:1]) + word[1:]
			} else {
				b.WriteByte(' ')
			}
			b.WriteString(word)
		}
		b.WriteString([]string{".", ".", ".", "?"}[g.rng.IntN(4)])
	}
	return b.String()
}

// Fill records n generated finished requests into s and waits until they
// are stored.
func Fill(ctx context.Context, s *history.Store, n int, opts Options) error {
	g := NewGenerator(n, opts)
	for i := range n {
		x := g.Next()
		if err := s.RecordRequest(x.Request); err != nil {
			return err
		}
		if err := s.RecordOutcome(x.Request.Key(), x.Outcome); err != nil {
			return err
		}
		// Keep the queue short: memory stays flat however large n is.
		if i%5000 == 4999 {
			if err := s.Flush(ctx); err != nil {
				return err
			}
		}
	}
	return s.Flush(ctx)
}

// FillDir opens (or creates) the history in dir, adds n generated finished
// requests and closes it.
func FillDir(ctx context.Context, dir string, n int, opts Options) error {
	s, err := history.Open(dir, history.Options{})
	if err != nil {
		_ = s.Close()
		return err
	}
	if err := Fill(ctx, s, n, opts); err != nil {
		_ = s.Close()
		return err
	}
	return s.Close()
}

type agent struct{ name, model, client string }

var agents = []agent{
	{"claude", "claude-opus-4", "claude-code"},
	{"claude", "claude-sonnet-4", "claude-code"},
	{"cursor", "gpt-5", "cursor"},
	{"windsurf", "swe-1", "windsurf"},
	{"codex", "gpt-5-codex", "codex-cli"},
	{"gemini", "gemini-2.5-pro", "gemini-cli"},
}

var projects = []string{
	"/home/dev/src/agentdesk", "/home/dev/src/agentassistant-srv", "/home/dev/src/website",
	"/home/dev/src/infra/terraform", "/home/dev/src/mobile-app", "/home/dev/work/billing-service",
	"/home/dev/work/search-api", "/home/dev/work/data-pipeline", "/home/dev/work/frontend",
	"/srv/build/ci-scripts", "/srv/build/release-tools", "C:\\Users\\dev\\source\\repos\\desktop-client",
}

var peers = []string{"alex", "sam", "jordan", "kim", "robin"}

// vocabulary is ordered roughly by how often each word appears, so the
// Zipf draw gives common words often and rare ones seldom.
var vocabulary = strings.Fields(`
the to and a of in is it that for on this with be should I you we can not do are will
have if or as from at by use test file change function error build run now need want
but what how there which code fix add update remove new use one all was has make
config server client request reply question report work done branch commit merge
deploy release version package module import export type value field name path
database table index query migration schema cache memory disk network socket
timeout retry backoff connection session token password secret keyring settings
window button list dialog theme icon tray notification search filter history
test tests failing passing flaky benchmark coverage lint format vet race
refactor rename move split extract inline delete keep revert rollback
approve confirm continue stop wait proceed skip ignore retry later
production staging local preview canary rollout feature flag toggle
user users admin account login logout permission role team owner
API endpoint route handler middleware proxy gateway load balancer
Docker image container Kubernetes pod node cluster volume secret map
Go Rust Python TypeScript JavaScript SQL YAML JSON Markdown shell script
logs metrics traces alert dashboard incident outage latency throughput
should we use the existing helper or write a new one here instead
is it okay to delete the old files and regenerate them from scratch
I finished the task and all tests pass please review the summary below
which approach do you prefer for the cache invalidation strategy
the build failed on Windows because of a path separator issue
I added a migration that renames the column and backfills the data
can I push directly to main or should I open a pull request first
elephant zebra quokka narwhal axolotl pangolin okapi capybara
`)
