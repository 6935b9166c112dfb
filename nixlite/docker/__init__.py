"""Docker and OCI image formats: layer tars, tarsum, image archives, OCI layout."""
