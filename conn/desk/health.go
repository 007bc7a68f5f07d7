package desk

import (
	"context"
	"sync"
	"time"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/model"
)

// probeLoop probes every enabled server's health now and then.
func (c *Core) probeLoop(ctx context.Context, e *engine) {
	t := time.NewTicker(c.opts.HealthInterval)
	defer t.Stop()
	for {
		cfgs, _ := ServerConfigs(ctx, e.store)
		var wg sync.WaitGroup
		for _, cfg := range cfgs {
			if !cfg.Enabled {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				c.probeCtx(ctx, cfg)
			}()
		}
		wg.Wait()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (c *Core) probe(cfg conn.ServerConfig) {
	if !cfg.Enabled {
		return
	}
	c.probeCtx(context.Background(), cfg)
}

// probeCtx probes one server and records the outcome in the model.
func (c *Core) probeCtx(ctx context.Context, cfg conn.ServerConfig) {
	h := conn.ProbeHealth(ctx, cfg)
	if ctx.Err() != nil {
		return
	}
	mh := model.Health{Checked: true, OK: h.OK, Version: h.Version, At: time.Now()}
	if h.Err != nil {
		mh.Err = h.Err.Error()
	}
	// Only what the user sees counts as a change: the time alone is not.
	if old, ok := c.model.Server(cfg.ID); ok && old.Health.Checked && old.Health.OK == mh.OK &&
		old.Health.Version == mh.Version && old.Health.Err == mh.Err {
		return
	}
	c.model.SetHealth(cfg.ID, mh)
}
