package listeners

import "os"

func filepathHome() (string, error) { return os.UserHomeDir() }
