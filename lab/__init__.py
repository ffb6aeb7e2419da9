"""The lab: a private, offline Docker Engine with local registries standing in for Docker Hub and gcr.io."""
