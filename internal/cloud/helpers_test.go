package cloud

import (
	"errors"
	"net/url"
)

func asError(err error, target **Error) bool { return errors.As(err, target) }

func parseURL(s string) (*url.URL, error) { return url.Parse(s) }
