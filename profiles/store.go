package profiles

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/agentdesk/agentdesk/profiles/limits"
)

// Errors returned by Store methods. Test for them with errors.Is.
var (
	// ErrDuplicate: another profile already has this URL (see
	// [*DuplicateError] for which one).
	ErrDuplicate = errors.New("duplicate server address")
	// ErrNoSuchProfile: no profile has the given ID.
	ErrNoSuchProfile = errors.New("no such server")
	// ErrNewerSchema: the config file was written by a newer agentdesk;
	// the store is read-only (see [*NewerSchemaError]).
	ErrNewerSchema = errors.New("config file from a newer agentdesk")
)

// DuplicateError names the profile whose URL an add or edit clashes with.
type DuplicateError struct {
	// URL is the normalized address both would share.
	URL string
	// Existing is the profile that already has it.
	Existing Profile
}

// Error names the clashing server and the shared address.
func (e *DuplicateError) Error() string {
	return fmt.Sprintf("the server %q already uses the address %s", e.Existing.Label(), e.URL)
}

// Is makes errors.Is match ErrDuplicate.
func (e *DuplicateError) Is(target error) bool { return target == ErrDuplicate }

// NewerSchemaError is returned by Load, and then by every change, when the
// config file has a schema version newer than [SchemaVersion]. The file is
// never overwritten.
type NewerSchemaError struct {
	// Path is the config file.
	Path string
	// Version is the schema version found in it.
	Version int
}

// Error explains that the file is used read-only and why.
func (e *NewerSchemaError) Error() string {
	return fmt.Sprintf("%s was written by a newer version of agentdesk (schema %d; this version knows up to %d). "+
		"It is used read-only and will not be overwritten: changes to servers and settings cannot be saved. "+
		"Update agentdesk, or use another folder with --config-dir", e.Path, e.Version, SchemaVersion)
}

// Is makes errors.Is match ErrNewerSchema.
func (e *NewerSchemaError) Is(target error) bool { return target == ErrNewerSchema }

// CorruptFileError is returned by Load when the config file could not be
// read or parsed. The file was moved aside, not deleted, and the store
// starts empty.
type CorruptFileError struct {
	// Path is the config file.
	Path string
	// MovedTo is where the old file now is.
	MovedTo string
	// Err says what was wrong with it.
	Err error
}

// Error names the file, what was wrong, and where the file was kept.
func (e *CorruptFileError) Error() string {
	return fmt.Sprintf("the config file %s could not be used: %v. It was kept as %s and agentdesk starts with no servers; "+
		"you can repair that file and move it back while agentdesk is closed", e.Path, e.Err, e.MovedTo)
}

// Unwrap returns what was wrong with the file.
func (e *CorruptFileError) Unwrap() error { return e.Err }

// ChangeKind says what a [Change] is about.
type ChangeKind int

// The kinds of change a Store reports.
const (
	ProfileAdded ChangeKind = iota + 1
	ProfileUpdated
	ProfileDeleted
	DefaultChanged
	SettingsChanged
)

// String returns a short lowercase name such as "added".
func (k ChangeKind) String() string {
	switch k {
	case ProfileAdded:
		return "added"
	case ProfileUpdated:
		return "updated"
	case ProfileDeleted:
		return "deleted"
	case DefaultChanged:
		return "default changed"
	case SettingsChanged:
		return "settings changed"
	}
	return fmt.Sprintf("ChangeKind(%d)", int(k))
}

// Change describes one saved change, so a subscriber can reconfigure
// exactly the server that changed.
type Change struct {
	Kind ChangeKind
	// ID is the profile concerned: the added, updated or deleted one, or
	// the new default ("" when none). Empty for SettingsChanged.
	ID string
	// Profile is the profile after the change (before it, for deletions).
	Profile Profile
	// PasswordChanged is set on ProfileUpdated when the password was
	// replaced or removed.
	PasswordChanged bool
}

// Options configure [Load]. Zero values take the defaults.
type Options struct {
	// Secrets holds passwords and the token (default: the OS keyring with
	// default options).
	Secrets *Secrets
	// Logger receives diagnostics; it never sees a secret (default:
	// discard).
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Store holds the profiles and settings of one config dir and saves every
// change atomically before it takes effect. It is safe for concurrent use;
// its methods do file and keyring I/O, so call them off the UI goroutine.
type Store struct {
	path string
	fs   fileSystem
	sec  *Secrets
	log  *slog.Logger
	now  func() time.Time

	// opMu serializes changes, keyring calls included, so a password is
	// never saved for a profile another goroutine is deleting.
	opMu sync.Mutex

	mu       sync.RWMutex // guards the fields below; held only briefly
	data     fileData
	readOnly error // a *NewerSchemaError, or nil
	notes    []string
	subs     map[int]func(Change)
	nextSub  int
}

// Load opens the config file in dir (see [ResolveConfigDir]), creating dir
// and the file when missing. Hand-edited files are repaired entry by entry
// (see [Store.Notices]) after a copy of the original is kept, and older
// schemas are migrated.
//
// Two errors come with a usable store, so the app can still start and
// show the error: a [*CorruptFileError] (the unreadable file was moved
// aside and the store is empty) and a [*NewerSchemaError] (the store is
// read-only). Any other error comes with a nil store.
func Load(dir string, opts Options) (*Store, error) {
	return load(dir, opts, osFS{})
}

func load(dir string, opts Options, fsys fileSystem) (*Store, error) {
	if opts.Secrets == nil {
		opts.Secrets = NewSecrets(SecretsOptions{Logger: opts.Logger})
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Store{
		path: filepath.Join(dir, ConfigFileName),
		fs:   fsys,
		sec:  opts.Secrets,
		log:  opts.Logger,
		now:  func() time.Time { return opts.Now().UTC().Truncate(time.Second) },
		subs: map[int]func(Change){},
	}

	raw, err := fsys.ReadFile(s.path)
	// Not there (or its folder cannot exist, say a file is in the way):
	// start fresh. Only a file that exists is ever moved aside.
	if errors.Is(err, fs.ErrNotExist) || (err != nil && !fsys.Exists(s.path)) {
		s.startFresh()
		return s, nil
	}
	if err != nil {
		return s.moveAside(err)
	}
	dec, err := decode(raw, s.now())
	if dec.version > SchemaVersion {
		// Never move aside or rewrite a newer file: that version of
		// agentdesk still needs it. Use what can be understood.
		s.readOnly = &NewerSchemaError{Path: s.path, Version: dec.version}
		s.data = dec.data
		if err != nil {
			// Nothing usable: run on defaults, without saving them.
			s.data = fileData{SchemaVersion: SchemaVersion, Settings: DefaultSettings()}
		}
		s.log.Warn("config file is from a newer version; read-only", "path", s.path, "version", dec.version)
		return s, s.readOnly
	}
	if err != nil {
		return s.moveAside(err)
	}
	s.data = dec.data
	s.notes = dec.notes
	for _, n := range dec.notes {
		s.log.Warn("config file repaired", "path", s.path, "note", n)
	}
	if dec.resave {
		s.resave(raw, len(dec.notes) > 0 || dec.version < SchemaVersion)
	}
	return s, nil
}

// startFresh begins with default settings and tries to write them, so the
// generated nickname sticks. A folder that cannot be written is reported
// here and again by the first change.
func (s *Store) startFresh() {
	s.data = fileData{SchemaVersion: SchemaVersion, Settings: DefaultSettings()}
	if err := s.persist(s.data); err != nil {
		s.notes = append(s.notes, err.Error())
		s.log.Warn("cannot create config file", "err", err)
	}
}

// resave writes a migrated or repaired file back, after keeping a copy of
// the original when asked to, so no hand edit is ever lost silently.
func (s *Store) resave(orig []byte, keepCopy bool) {
	if keepCopy {
		bak := asideName(s.fs, s.path, "bak", s.now())
		if err := writeAtomic(s.fs, bak, orig); err != nil {
			s.notes = append(s.notes, fmt.Sprintf("the repaired settings were not saved, because a copy of the original file could not be kept (%v)", err))
			return
		}
		s.notes = append(s.notes, "the original file was kept as "+bak)
	}
	if err := s.persist(s.data); err != nil {
		s.notes = append(s.notes, err.Error())
		s.log.Warn("cannot rewrite config file", "err", err)
	}
}

// moveAside renames an unusable file out of the way and starts empty.
func (s *Store) moveAside(cause error) (*Store, error) {
	aside := asideName(s.fs, s.path, "corrupt", s.now())
	if err := s.fs.Rename(s.path, aside); err != nil {
		return nil, fmt.Errorf("the config file %s could not be used (%v), and it could not be moved aside (%v). "+
			"Nothing was changed: repair or move the file, or choose another folder with --config-dir", s.path, cause, err)
	}
	s.log.Error("config file unusable; moved aside", "path", s.path, "moved_to", aside, "err", cause)
	s.startFresh()
	return s, &CorruptFileError{Path: s.path, MovedTo: aside, Err: cause}
}

// Path returns the config file's path.
func (s *Store) Path() string { return s.path }

// Secrets returns the secrets the store uses.
func (s *Store) Secrets() *Secrets { return s.sec }

// Notices returns what Load had to repair, in words for the user; empty
// when the file was fine.
func (s *Store) Notices() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.notes)
}

// ReadOnly returns the [*NewerSchemaError] when the store cannot save, and
// nil otherwise.
func (s *Store) ReadOnly() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.readOnly
}

// Profiles returns a copy of all profiles, in the order they were added.
func (s *Store) Profiles() []Profile {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.data.Profiles)
}

// Profile returns the profile with the given ID.
func (s *Store) Profile(id string) (Profile, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if i := s.data.find(id); i >= 0 {
		return s.data.Profiles[i], true
	}
	return Profile{}, false
}

// DefaultID returns the ID of the default server, or "" when none is set.
func (s *Store) DefaultID() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.data.DefaultServer
}

// Settings returns a copy of the settings.
func (s *Store) Settings() Settings {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.data.Settings.clone()
}

// Subscribe calls fn after every saved change, on the goroutine that made
// it, after the store's locks are released (so fn may read or change the
// store). Changes made from one goroutine arrive in order; fn should read
// current state rather than rely on ordering across goroutines. The
// returned func unsubscribes.
func (s *Store) Subscribe(fn func(Change)) (unsubscribe func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextSub
	s.nextSub++
	s.subs[id] = fn
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.subs, id)
	}
}

func (s *Store) notify(changes []Change) {
	s.mu.RLock()
	keys := make([]int, 0, len(s.subs))
	for k := range s.subs {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	fns := make([]func(Change), 0, len(keys))
	for _, k := range keys {
		fns = append(fns, s.subs[k])
	}
	s.mu.RUnlock()
	for _, c := range changes {
		for _, fn := range fns {
			fn(c)
		}
	}
}

// persist writes d to disk.
func (s *Store) persist(d fileData) error {
	b, err := d.encode()
	if err == nil {
		err = writeAtomic(s.fs, s.path, b)
	}
	if err != nil {
		return &SaveError{Path: s.path, Err: err}
	}
	return nil
}

// commit applies edit to a copy of the state, saves it, and only then
// makes it current, so a failed save changes nothing. The caller holds
// opMu.
func (s *Store) commit(edit func(d *fileData) error) error {
	s.mu.RLock()
	ro := s.readOnly
	next := s.data.clone()
	s.mu.RUnlock()
	if ro != nil {
		return ro
	}
	if err := edit(&next); err != nil {
		return err
	}
	if err := s.persist(next); err != nil {
		return err
	}
	s.mu.Lock()
	s.data = next
	s.mu.Unlock()
	return nil
}

// checkDuplicate returns a *DuplicateError when a profile other than p has
// p's URL.
func checkDuplicate(d *fileData, p Profile) error {
	for _, o := range d.Profiles {
		if o.ID != p.ID && o.URL == p.URL {
			return &DuplicateError{URL: p.URL, Existing: o}
		}
	}
	return nil
}

// Add validates p (normalizing its URL), gives it a new ID and timestamps,
// and saves it. p.ID, p.Created and p.Updated are ignored. When p uses
// Basic auth and password is not empty, the password goes to the keyring.
// If only the keyring failed, the profile is saved and returned together
// with an error wrapping ErrNotRemembered.
func (s *Store) Add(ctx context.Context, p Profile, password string) (Profile, error) {
	if err := checkPassword(password); err != nil {
		return Profile{}, err
	}
	s.opMu.Lock()
	p, err := s.add(p)
	if err != nil {
		s.opMu.Unlock()
		return Profile{}, err
	}
	var kerr error
	if p.BasicAuth && password != "" {
		kerr = s.sec.SetPassword(ctx, p.ID, password)
	}
	s.opMu.Unlock()
	s.log.Info("server added", "id", p.ID, "label", p.Label())
	s.notify([]Change{{Kind: ProfileAdded, ID: p.ID, Profile: p}})
	return p, kerr
}

func (s *Store) add(p Profile) (Profile, error) {
	p, err := cleanProfile(p)
	if err != nil {
		return Profile{}, err
	}
	p.ID = newID()
	p.Created = s.now()
	p.Updated = p.Created
	err = s.commit(func(d *fileData) error {
		if err := checkDuplicate(d, p); err != nil {
			return err
		}
		d.Profiles = append(d.Profiles, p)
		return nil
	})
	return p, err
}

// Update saves the user-editable fields of the profile with ID p.ID (URL,
// alias, enabled, Basic auth and user name), after the same checks as Add.
// password nil keeps the stored password, as do renames and other edits;
// a pointer to "" removes it; anything else replaces it. If only the
// keyring failed, the profile is saved and returned together with an error
// wrapping ErrKeyringUnavailable.
func (s *Store) Update(ctx context.Context, p Profile, password *string) (Profile, error) {
	if password != nil {
		if err := checkPassword(*password); err != nil {
			return Profile{}, err
		}
	}
	s.opMu.Lock()
	p, err := s.update(p)
	if err != nil {
		s.opMu.Unlock()
		return Profile{}, err
	}
	var kerr error
	if password != nil {
		kerr = s.sec.SetPassword(ctx, p.ID, *password)
	}
	s.opMu.Unlock()
	s.log.Info("server updated", "id", p.ID, "label", p.Label())
	s.notify([]Change{{Kind: ProfileUpdated, ID: p.ID, Profile: p, PasswordChanged: password != nil}})
	return p, kerr
}

func (s *Store) update(p Profile) (Profile, error) {
	p, err := cleanProfile(p)
	if err != nil {
		return Profile{}, err
	}
	err = s.commit(func(d *fileData) error {
		i := d.find(p.ID)
		if i < 0 {
			return ErrNoSuchProfile
		}
		if err := checkDuplicate(d, p); err != nil {
			return err
		}
		p.Created = d.Profiles[i].Created
		p.Updated = s.now()
		d.Profiles[i] = p
		return nil
	})
	return p, err
}

// Delete removes the profile with the given ID, clears the default mark
// and mutes that pointed at it, and deletes its password from the keyring.
// If only the keyring failed, the profile is gone and the error says the
// password could not be removed.
func (s *Store) Delete(ctx context.Context, id string) error {
	s.opMu.Lock()
	var gone Profile
	var wasDefault bool
	err := s.commit(func(d *fileData) error {
		i := d.find(id)
		if i < 0 {
			return ErrNoSuchProfile
		}
		gone = d.Profiles[i]
		d.Profiles = slices.Delete(d.Profiles, i, i+1)
		if d.DefaultServer == id {
			d.DefaultServer = ""
			wasDefault = true
		}
		d.Settings.Notifications.MutedServers = slices.DeleteFunc(d.Settings.Notifications.MutedServers,
			func(m string) bool { return m == id })
		return nil
	})
	if err != nil {
		s.opMu.Unlock()
		return err
	}
	// Always try: a password may be stored even with Basic auth off.
	kerr := s.sec.DeletePassword(ctx, id)
	s.opMu.Unlock()

	s.log.Info("server deleted", "id", id, "label", gone.Label())
	changes := []Change{{Kind: ProfileDeleted, ID: id, Profile: gone}}
	if wasDefault {
		changes = append(changes, Change{Kind: DefaultChanged})
	}
	s.notify(changes)
	if kerr != nil {
		return fmt.Errorf("the server %q was deleted, but: %w", gone.Label(), kerr)
	}
	return nil
}

// SetDefault marks the profile with the given ID as the default server
// (where new P2P chats and the quick filter start); "" clears the mark.
func (s *Store) SetDefault(id string) error {
	s.opMu.Lock()
	var p Profile
	err := s.commit(func(d *fileData) error {
		if id != "" {
			i := d.find(id)
			if i < 0 {
				return ErrNoSuchProfile
			}
			p = d.Profiles[i]
		}
		d.DefaultServer = id
		return nil
	})
	s.opMu.Unlock()
	if err != nil {
		return err
	}
	s.notify([]Change{{Kind: DefaultChanged, ID: id, Profile: p}})
	return nil
}

// SetSettings validates and saves the settings: the nickname must pass
// [ValidateNickname], and muted servers that do not exist are dropped.
func (s *Store) SetSettings(in Settings) error {
	in = in.clone()
	nick, err := ValidateNickname(in.Nickname)
	if err != nil {
		return err
	}
	in.Nickname = nick
	if !limits.Fits(in.ReplyPrefix, limits.ReplyAffixChars) || !limits.Fits(in.ReplySuffix, limits.ReplyAffixChars) {
		return fmt.Errorf("the reply prefix and suffix must be at most %d characters", limits.ReplyAffixChars)
	}
	// Settings built by callers that predate these fields keep the defaults.
	if in.Completion.unset() {
		in.Completion = DefaultCompletion()
	}
	if in.Attachments == (AttachmentLimits{}) {
		in.Attachments = DefaultAttachmentLimits()
	}
	if in.Completion, err = NormalizeCompletion(in.Completion); err != nil {
		return err
	}
	if err := ValidateAttachmentLimits(in.Attachments); err != nil {
		return err
	}
	n := &in.Notifications
	for _, a := range []*Attention{&n.Questions, &n.WorkReports, &n.Chat} {
		if *a == "" {
			*a = AttentionNotify // settings built before attention modes
		}
		if !a.valid() {
			return fmt.Errorf("%q is not an attention mode (none, notify or raise)", limits.Label(string(*a), 20))
		}
	}
	if err := ValidateHistory(in.History); err != nil {
		return err
	}
	s.opMu.Lock()
	err = s.commit(func(d *fileData) error {
		known := map[string]bool{}
		for _, p := range d.Profiles {
			known[p.ID] = true
		}
		in.Notifications.MutedServers, _ = keepKnown(in.Notifications.MutedServers, known)
		d.Settings = in
		return nil
	})
	s.opMu.Unlock()
	if err != nil {
		return err
	}
	s.notify([]Change{{Kind: SettingsChanged}})
	return nil
}

// BasicPassword returns the Basic-auth password of profile p from the
// keyring, or "" when p does not use Basic auth. When the keyring fails the
// error names the server; it wraps the keyring error.
func (s *Store) BasicPassword(ctx context.Context, p Profile) (string, error) {
	if !p.BasicAuth {
		return "", nil
	}
	pw, err := s.sec.Password(ctx, p.ID)
	if err != nil {
		return "", fmt.Errorf("server %q: %w", p.Label(), err)
	}
	return pw, nil
}
