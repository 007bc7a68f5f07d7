package desk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/history"
	"github.com/agentdesk/agentdesk/conn/model"
	"github.com/agentdesk/agentdesk/profiles"
)

// Titles of the history's notices (English templates the UI translates).
const (
	NoticeHistoryMoved  = "Your history file could not be used and was moved aside"
	NoticeHistoryUnsafe = "History is not being saved"
)

// recentHistory is how many finished requests a start shows from the
// history, before any server connects; the model keeps at most its cap of
// finished cards in memory, the database keeps the rest.
const recentHistory = 200

// pruneEvery is how often the retention policy runs while agentdesk runs.
const pruneEvery = 6 * time.Hour

// openHistory opens the history database in dir ("" keeps it in memory),
// reports what went wrong as notices, and shows the recent finished
// requests in the model. It never returns nil: history.Open falls back to
// memory, so the engine needs no nil checks. It does file I/O.
func (c *Core) openHistory(ctx context.Context, dir string, st profiles.HistorySettings) *history.Store {
	hs, err := history.Open(dir, history.Options{Logger: c.log, KeepAttachmentBytes: st.KeepAttachmentBytes})
	var corrupt *history.CorruptError
	var newer *history.NewerSchemaError
	switch {
	case errors.As(err, &corrupt) || errors.As(err, &newer):
		c.model.AddNotice(model.Notice{ID: "history-open", Level: model.NoticeWarning, Title: NoticeHistoryMoved, Details: err.Error()})
	case err != nil:
		c.model.AddNotice(model.Notice{ID: "history-open", Level: model.NoticeWarning, Title: NoticeHistoryUnsafe, Details: err.Error()})
	}
	hs.OnStatus(func(s history.Status) {
		if s.Problem == nil {
			c.model.DismissNotice("history")
			return
		}
		c.model.AddNotice(model.Notice{ID: "history", Level: model.NoticeWarning, Title: NoticeHistoryUnsafe,
			Details: s.Problem.Error() + "\nagentdesk goes on working; what happens now is kept in memory only."})
	})
	entries, err := hs.Recent(ctx, recentHistory)
	if err != nil {
		c.log.Warn("reading the recent history", "err", err)
	}
	cards := make([]model.Card, 0, len(entries))
	labels := map[conn.ServerID]string{}
	for _, e := range entries {
		cards = append(cards, cardOf(e))
		labels[conn.ServerID(e.Request.Server)] = e.Request.ServerLabel
	}
	c.model.AddHistory(cards, labels)
	return hs
}

// cardOf turns a stored request into a timeline card.
func cardOf(e history.Entry) model.Card {
	r, o := e.Request, e.Outcome
	kind := conn.KindQuestion
	if r.Kind == history.KindWorkReport {
		kind = conn.KindWorkReport
	}
	c := model.Card{
		Request: &conn.Request{Server: conn.ServerID(r.Server), ID: r.ID, Kind: kind, Text: r.Text,
			ProjectDirectory: r.Project, AgentName: r.Agent, Model: r.Model, MCPClient: r.MCPClient,
			Timeout: r.Timeout, CreatedAt: r.Created},
		Updated: o.At,
		Preview: e.Preview,
	}
	switch o.State {
	case history.StateAnswered:
		c.State, c.Reply = model.AnsweredByMe, o.Text
	case history.StateAnsweredElsewhere:
		c.State, c.By, c.ByText = model.AnsweredElsewhere, o.By, o.Text
	case history.StateCancelled:
		c.State, c.Reason = model.Cancelled, o.Reason
	case history.StateUndeliverable:
		c.State, c.Reply, c.Reason = model.Undeliverable, o.Text, o.Reason
	case history.StateGone:
		c.State = model.Gone
	default:
		c.State = model.Pending
	}
	return c
}

// record keeps what an event says in the history.
func (c *Core) record(e *engine, ev conn.Event) {
	if err := e.rec.Event(ev); err != nil {
		c.log.Warn("history refused an event", "err", err)
	}
	if r, ok := ev.(conn.Reconciled); ok {
		// With more pending than the cap, the model does not hold them
		// all: the list would wrongly call the others gone.
		if s, ok := c.model.Server(r.Server); ok && s.State.PendingOverflow > 0 {
			return
		}
		if err := e.rec.Reconciled(r.Server, c.model.PendingIDs(r.Server)); err != nil {
			c.log.Warn("history refused a pending list", "err", err)
		}
	}
}

// retainLoop applies the retention policy now and every pruneEvery.
func (c *Core) retainLoop(ctx context.Context, e *engine) {
	t := time.NewTicker(pruneEvery)
	defer t.Stop()
	for {
		c.prune(ctx, e)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// prune applies the saved retention policy once. It does file I/O.
func (c *Core) prune(ctx context.Context, e *engine) {
	st := e.store.Settings().History
	p := history.RetentionPolicy{MaxAge: st.MaxAge(), MaxPerServer: st.RetentionPerServer}
	if p.Forever() {
		return
	}
	if _, err := e.hist.Prune(ctx, p); err != nil && ctx.Err() == nil {
		c.log.Warn("applying the history retention", "err", err)
	}
}

// history returns the running history store, or ErrNotReady before Start.
func (c *Core) history() (*history.Store, error) {
	e, err := c.engine()
	if err != nil {
		return nil, err
	}
	return e.hist, nil
}

// HistoryQuery is a search of the history, by server ids rather than
// strings.
type HistoryQuery struct {
	// Text is what the user typed (any input is safe).
	Text    string
	Servers []conn.ServerID
	Agent   string
	Project string
	States  []history.State
	// Before continues after the previous page (its Next); Limit is the
	// page size.
	Before int64
	Limit  int
}

func (q HistoryQuery) store() history.Query {
	out := history.Query{Text: q.Text, Agent: q.Agent, Project: q.Project, States: q.States, Before: q.Before, Limit: q.Limit}
	for _, s := range q.Servers {
		out.Servers = append(out.Servers, string(s))
	}
	return out
}

// HistoryPage is one page of search results, as cards.
type HistoryPage struct {
	Cards []model.Card
	// Next continues the search (HistoryQuery.Before); 0 after the last.
	Next int64
}

// SearchHistory searches every stored request, newest first, one page at
// a time. It does file I/O.
func (c *Core) SearchHistory(ctx context.Context, q HistoryQuery) (HistoryPage, error) {
	hs, err := c.history()
	if err != nil {
		return HistoryPage{}, err
	}
	p, err := hs.Search(ctx, q.store())
	if err != nil {
		return HistoryPage{}, err
	}
	out := HistoryPage{Next: p.Next, Cards: make([]model.Card, len(p.Entries))}
	for i, e := range p.Entries {
		out.Cards[i] = cardOf(e)
		out.Cards[i].History = true
	}
	return out, nil
}

// CountHistory counts what a search finds. It does file I/O.
func (c *Core) CountHistory(ctx context.Context, q HistoryQuery) (int, error) {
	hs, err := c.history()
	if err != nil {
		return 0, err
	}
	return hs.Count(ctx, q.store())
}

// HistoryFacets lists the agents and projects in the history, for search
// filters. It does file I/O.
func (c *Core) HistoryFacets(ctx context.Context) (history.Facets, error) {
	hs, err := c.history()
	if err != nil {
		return history.Facets{}, err
	}
	return hs.Facets(ctx)
}

// HistoryStats reports the history's size per server, and where it is.
// It does file I/O.
func (c *Core) HistoryStats(ctx context.Context) ([]history.ServerStats, history.Status, error) {
	hs, err := c.history()
	if err != nil {
		return nil, history.Status{}, err
	}
	st, err := hs.Stats(ctx)
	return st, hs.Status(), err
}

// ClearHistory deletes a server's finished requests and chat lines from
// the history, and its history cards from the timeline. It does file I/O.
func (c *Core) ClearHistory(ctx context.Context, id conn.ServerID) error {
	hs, err := c.history()
	if err != nil {
		return err
	}
	if _, err := hs.Clear(ctx, string(id)); err != nil {
		return err
	}
	c.model.DropHistory(id)
	return nil
}

// ExportFormat is how an export is written.
type ExportFormat int

const (
	// ExportJSONLines writes one JSON object per line.
	ExportJSONLines ExportFormat = iota
	// ExportMarkdown writes a readable document.
	ExportMarkdown
)

// ExportHistory writes the history of the given servers (all when none)
// to w. It does file I/O.
func (c *Core) ExportHistory(ctx context.Context, w io.Writer, f ExportFormat, servers ...conn.ServerID) error {
	hs, err := c.history()
	if err != nil {
		return err
	}
	ids := make([]string, len(servers))
	for i, s := range servers {
		ids[i] = string(s)
	}
	if f == ExportMarkdown {
		return hs.ExportMarkdown(ctx, w, ids...)
	}
	return hs.ExportJSONL(ctx, w, ids...)
}

// CopyPart says what of a card to copy.
type CopyPart int

const (
	// CopyQuestion is the question or work report, with where it came from.
	CopyQuestion CopyPart = iota
	// CopyReply is the reply: ours, or whoever answered first.
	CopyReply
)

// Markdown returns a card's question or reply as Markdown, in full: a
// card cut to a preview is read back from the history. It may do file
// I/O.
func (c *Core) Markdown(ctx context.Context, k conn.RequestKey, part CopyPart) (string, error) {
	card, ok := c.model.Card(k)
	if !ok || card.Preview {
		var err error
		if card, err = c.HistoryCard(ctx, k); err != nil {
			return "", err
		}
	}
	r := card.Request
	when := r.CreatedAt.Format("2006-01-02 15:04")
	switch part {
	case CopyQuestion:
		what := "Question"
		if r.Kind == conn.KindWorkReport {
			what = "Work report"
		}
		meta := strings.Join(nonEmpty(r.AgentName, c.model.Label(r.Server), r.ProjectDirectory, when), " · ")
		return fmt.Sprintf("**%s** (%s)\n\n%s\n", what, meta, r.Text), nil
	default:
		switch card.State {
		case model.AnsweredElsewhere:
			by := card.By
			if by == "" {
				by = "another client"
			}
			return fmt.Sprintf("**Answered by %s**\n\n%s\n", by, card.ByText), nil
		case model.AnsweredByMe, model.Sending, model.Queued, model.Undeliverable:
			return fmt.Sprintf("**Answered by me**\n\n%s\n", card.Reply), nil
		}
		return "", errors.New("this request has no reply")
	}
}

func nonEmpty(parts ...string) []string {
	out := parts[:0:0]
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return out
}

// LoadChatHistory puts the earlier lines of a conversation (with this
// nickname on that server) before what the model shows. It does file I/O.
func (c *Core) LoadChatHistory(ctx context.Context, k model.ChatKey, nickname string) error {
	hs, err := c.history()
	if err != nil {
		return err
	}
	stored, err := hs.Chat(ctx, string(k.Server), nickname, 200)
	if err != nil {
		return err
	}
	lines := make([]model.Line, 0, len(stored))
	for _, l := range stored {
		lines = append(lines, model.Line{FromMe: l.From == history.FromMe, System: l.From == history.FromSystem, Text: l.Text, At: l.At})
	}
	c.model.AddChatHistory(k, nickname, lines)
	return nil
}

// HistoryCard returns one stored request in full (a list shows previews).
// It does file I/O.
func (c *Core) HistoryCard(ctx context.Context, k conn.RequestKey) (model.Card, error) {
	hs, err := c.history()
	if err != nil {
		return model.Card{}, err
	}
	e, err := hs.Get(ctx, history.Key{Server: string(k.Server), ID: k.ID})
	if err != nil {
		return model.Card{}, err
	}
	card := cardOf(e)
	card.History = true
	return card, nil
}
