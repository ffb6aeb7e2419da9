"""The lab: a private, offline Docker Engine, with local registries for Docker Hub and gcr.io."""
