"""Repositories: upstream mirrors and their fetches (`mirrors`), regional forks and pushes
(`forks`), their stored divergence (`refresh`) and light listings (`listing`), source downloads
(`downloads`), who may clone or push over /git/ (`access`) and the deployed commits that
pushes must keep (`protected`)."""
