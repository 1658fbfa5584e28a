package load

import (
	"slices"
	"sync"
)

// Leftovers is the set of topics and consumer groups that runs created and
// have not deleted (yet): Run adds a topic before it asks the cluster to
// create it and a group when its first member starts, and removes each once
// teardown deleted it (or kept a topic because the plan asks to). What is still listed when Run returns, or when the process
// has to exit at once, is what is left on the cluster; `mskbench clean`
// removes it. Safe for concurrent use (a signal handler may read it while
// Run adds to it); the zero value is empty; a nil *Leftovers records
// nothing.
type Leftovers struct {
	mu     sync.Mutex
	topics []string
	groups []string
}

// Topics returns the topics listed, in the order they were added.
func (l *Leftovers) Topics() []string {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.topics)
}

// Groups returns the consumer groups listed, in the order they were added.
func (l *Leftovers) Groups() []string {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.groups)
}

// Empty reports whether nothing is listed.
func (l *Leftovers) Empty() bool {
	if l == nil {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.topics) == 0 && len(l.groups) == 0
}

// AddTopic lists a topic created outside Run (a distributed run's control
// topic, package shard) until RemoveTopic says it was deleted.
func (l *Leftovers) AddTopic(name string) { l.addTopics([]string{name}) }

// RemoveTopic takes a topic AddTopic listed off the list.
func (l *Leftovers) RemoveTopic(name string) { l.removeTopics([]string{name}) }

func (l *Leftovers) addTopics(names []string)    { l.update(false, names, true) }
func (l *Leftovers) removeTopics(names []string) { l.update(false, names, false) }
func (l *Leftovers) addGroups(names []string)    { l.update(true, names, true) }
func (l *Leftovers) removeGroups(names []string) { l.update(true, names, false) }

// update adds names to (add) or removes them from the topics or (groups)
// the groups.
func (l *Leftovers) update(groups bool, names []string, add bool) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	list := &l.topics
	if groups {
		list = &l.groups
	}
	for _, n := range names {
		i := slices.Index(*list, n)
		switch {
		case add && i < 0:
			*list = append(*list, n)
		case !add && i >= 0:
			*list = slices.Delete(*list, i, i+1)
		}
	}
}
