package conn

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// HealthTimeout bounds one health request.
const HealthTimeout = 3 * time.Second

// Health is the answer of a server's health endpoint.
type Health struct {
	// OK is true when the endpoint answered 200.
	OK bool
	// Status is the HTTP status, 0 when nothing answered.
	Status int
	// Version is reported by newer servers ({"status":"ok","version":…}).
	Version string
	// URL is the address that answered last.
	URL string
	// Err says why the server is not healthy; nil when OK.
	Err error
}

// HTTPBase turns a server's WebSocket URL into its HTTP base: ws→http,
// wss→https, and the trailing /ws removed so a proxy prefix stays.
func HTTPBase(wsURL string) (string, error) {
	u, err := parseServerURL(wsURL)
	if err != nil {
		return "", err
	}
	b := *u
	b.Scheme = map[string]string{"ws": "http", "wss": "https"}[u.Scheme]
	b.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/ws")
	b.RawQuery, b.Fragment, b.User = "", "", nil
	return b.String(), nil
}

// healthClient has no overall timeout of its own; each probe sets one.
var healthClient = &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment}}

// ProbeHealth asks GET <base>/health, falling back to /global/health when
// that path does not exist, with cfg's Basic auth, a 3 s timeout per request
// and one retry on network errors.
func ProbeHealth(ctx context.Context, cfg ServerConfig) Health {
	base, err := HTTPBase(cfg.URL)
	if err != nil {
		return Health{Err: err}
	}
	h := probeOnce(ctx, cfg, base+"/health")
	if h.Status == http.StatusNotFound {
		h = probeOnce(ctx, cfg, base+"/global/health")
	}
	return h
}

func probeOnce(ctx context.Context, cfg ServerConfig, target string) Health {
	h := getHealth(ctx, cfg, target)
	if h.Status == 0 && h.Err != nil && ctx.Err() == nil && KindOf(h.Err) == FailureUnreachable {
		h = getHealth(ctx, cfg, target)
	}
	return h
}

func getHealth(ctx context.Context, cfg ServerConfig, target string) Health {
	h := Health{URL: target}
	u, _ := url.Parse(target)
	ctx, cancel := context.WithTimeout(ctx, HealthTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		h.Err = newError(FailureConfig, err, "invalid health URL: %v", err)
		return h
	}
	if cfg.BasicUser != "" {
		req.SetBasicAuth(cfg.BasicUser, cfg.BasicPassword)
	}
	resp, err := healthClient.Do(req)
	if err != nil {
		h.Err = classifyDialError(err, nil, u)
		return h
	}
	defer resp.Body.Close()
	h.Status = resp.StatusCode
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	switch {
	case resp.StatusCode == http.StatusOK:
		h.OK = true
		var v struct {
			Version string `json:"version"`
		}
		if json.Unmarshal(body, &v) == nil {
			h.Version = v.Version
		}
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		h.Err = newError(FailureAuth, nil, "%s refused the credentials (HTTP %d): check the Basic auth user and password", u.Host, resp.StatusCode)
	default:
		h.Err = newError(FailureRejected, errors.New(resp.Status), "%s health check answered HTTP %d", u.Host, resp.StatusCode)
	}
	return h
}
